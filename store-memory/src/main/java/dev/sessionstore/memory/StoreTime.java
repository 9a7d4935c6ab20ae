package dev.sessionstore.memory;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The store clock, and when each record falls due: a session at its expiry, a tombstone when its
 * grace is over. Whether a session is live is always decided by {@code Session.isExpiredAt} on this
 * clock; {@link Deadlines} only uses these moments to know when to look. Thread-safe.
 */
final class StoreTime {

  /** The due time of a record that never falls due. */
  static final long NEVER = Long.MAX_VALUE;

  private final InstantSource clock;
  private final long graceMillis;

  StoreTime(InstantSource clock, long graceMillis) {
    this.clock = clock;
    this.graceMillis = graceMillis;
  }

  /**
   * The store clock's time in milliseconds, the precision of every stored timestamp. Reading {@code
   * millis()} is much cheaper than {@code instant()} on the system clock, and a truncated instant
   * is shared as-is by the sessions built from it (createdAt and lastAccessedAt need no second
   * object).
   */
  Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }

  /** The store clock's time in epoch milliseconds. */
  long millis() {
    return clock.millis();
  }

  /**
   * When a slot falls due, in epoch milliseconds (saturated): a session's expiry, a tombstone's end
   * of grace; {@link #NEVER} for a session that never expires.
   */
  long dueMillis(Slot slot) {
    if (slot instanceof Slot.Stored stored) {
      Instant end = stored.session().expiresAt();
      return end == null ? NEVER : epochMillis(end);
    }
    return saturatedAdd(((Slot.Tombstone) slot).destroyedAtMillis(), graceMillis);
  }

  /** Whether a slot is due for removal at an instant of the store clock. */
  boolean isDue(Slot slot, Instant now) {
    long due = dueMillis(slot);
    return due != NEVER && now.toEpochMilli() >= due;
  }

  /** An instant's epoch milliseconds, rounded up and saturated (stored instants are whole ms). */
  private static long epochMillis(Instant instant) {
    try {
      long millis = instant.toEpochMilli();
      return instant.getNano() % 1_000_000 == 0 ? millis : millis + 1;
    } catch (ArithmeticException beyondLong) {
      return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : NEVER;
    }
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }
}
