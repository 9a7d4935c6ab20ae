package dev.sessionstore.memory;

import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Instant;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;

/**
 * Caffeine's view of the store clock: a {@link Ticker} read from the store's {@link InstantSource},
 * and the {@link Expiry} that makes Caffeine remove a session when it expires and a tombstone when
 * its grace is over.
 *
 * <p>Ticks are quarter nanoseconds. Caffeine's timer wheel resolves 2<sup>30</sup> ticks at its
 * finest; in nanoseconds that would be 1.07 s, too coarse for "EXPIRED within a second of the
 * deadline". In quarter nanoseconds it is 268 ms. Ticks saturate at 2<sup>62</sup> (36 years after
 * the store opened); a session expiring later is never removed by Caffeine, only by {@code
 * cleanup}, which reads the clock itself. Caffeine is only the reaper: whether a session is live is
 * always decided by {@code Session.isExpiredAt} on the store clock. Thread-safe.
 */
final class StoreTime implements Ticker, Expiry<String, Slot> {

  static final long TICKS_PER_NANO = 4;

  /** The largest tick; Caffeine adds at most 2^62 to it, which cannot overflow. */
  static final long MAX_TICK = (Long.MAX_VALUE >> 1) - 1;

  private static final long MAX_SECONDS = MAX_TICK / TICKS_PER_NANO / 1_000_000_000L;

  private final InstantSource clock;
  private final Instant origin;
  private final long graceMillis;

  StoreTime(InstantSource clock, long graceMillis) {
    this.clock = clock;
    this.origin = clock.instant();
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

  long graceMillis() {
    return graceMillis;
  }

  @Override
  public long read() {
    // Caffeine reads the ticker several times per write: no Instant allocated for it.
    long millis = clock.millis();
    return ticks(Math.floorDiv(millis, 1000L), (int) Math.floorMod(millis, 1000L) * 1_000_000);
  }

  /** The tick of an instant, clamped to [-MAX_TICK, MAX_TICK]. */
  long ticks(Instant instant) {
    return ticks(instant.getEpochSecond(), instant.getNano());
  }

  private long ticks(long epochSecond, int nano) {
    long seconds = epochSecond - origin.getEpochSecond();
    if (seconds > MAX_SECONDS) {
      return MAX_TICK;
    }
    if (seconds < -MAX_SECONDS) {
      return -MAX_TICK;
    }
    long nanos = seconds * 1_000_000_000L + (nano - origin.getNano());
    return nanos * TICKS_PER_NANO;
  }

  @Override
  public long expireAfterCreate(String id, Slot slot, long currentTime) {
    return remaining(slot, currentTime);
  }

  @Override
  public long expireAfterUpdate(String id, Slot slot, long currentTime, long currentDuration) {
    return remaining(slot, currentTime);
  }

  @Override
  public long expireAfterRead(String id, Slot slot, long currentTime, long currentDuration) {
    return currentDuration;
  }

  private long remaining(Slot slot, long now) {
    Instant end = end(slot);
    if (end == null) {
      return Long.MAX_VALUE;
    }
    long endTicks = ticks(end);
    if (endTicks >= MAX_TICK) {
      return Long.MAX_VALUE; // beyond the ticker's range; cleanup() removes it when it is due
    }
    return Math.max(0L, endTicks - now);
  }

  /**
   * When a slot is due for removal: a session's expiry, a tombstone's end of grace; null for never.
   */
  @Nullable Instant end(Slot slot) {
    if (slot instanceof Slot.Stored stored) {
      return stored.session().expiresAt();
    }
    return ((Slot.Tombstone) slot).removableAt(graceMillis);
  }

  /** Whether a slot is due for removal at an instant of the store clock. */
  boolean isDue(Slot slot, Instant now) {
    Instant end = end(slot);
    return end != null && !now.isBefore(end);
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }
}
