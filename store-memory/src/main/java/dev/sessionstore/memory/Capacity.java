package dev.sessionstore.memory;

import dev.sessionstore.StoreFullException;
import dev.sessionstore.memory.MemorySessionStore.WhenFull;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's bound ({@link MemorySessionStore#MAX_SESSIONS}) and what happens when it is reached
 * ({@link MemorySessionStore#WHEN_FULL}). Counts stored sessions, expired ones not yet removed
 * included. With {@code reject}, a place is taken before a session is inserted, so that concurrent
 * creates never overshoot; with {@code evict}, Caffeine's size bound makes room and this only
 * counts. Thread-safe.
 */
final class Capacity {

  private final WhenFull whenFull;
  private final long maxSessions;
  private final AtomicLong stored = new AtomicLong();

  Capacity(WhenFull whenFull, long maxSessions) {
    this.whenFull = whenFull;
    this.maxSessions = maxSessions;
  }

  WhenFull whenFull() {
    return whenFull;
  }

  long maxSessions() {
    return maxSessions;
  }

  /**
   * Takes a place for a new session.
   *
   * @return false if the store refuses to grow ({@code reject} and full)
   */
  boolean tryAdd() {
    if (whenFull == WhenFull.EVICT) {
      stored.incrementAndGet();
      return true;
    }
    while (true) {
      long now = stored.get();
      if (now >= maxSessions) {
        return false;
      }
      if (stored.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /**
   * Takes a place for a new session, first letting {@code removeDue} free places held by expired
   * sessions if the store is full.
   *
   * @param removeDue removes what is due
   * @throws StoreFullException if the store is still full
   */
  void add(Runnable removeDue) {
    if (tryAdd()) {
      return;
    }
    removeDue.run();
    if (!tryAdd()) {
      throw new StoreFullException(maxSessions);
    }
  }

  /** Takes back, without a bound, the place a regenerated session gave up under its old id. */
  void restore() {
    stored.incrementAndGet();
  }

  /** Gives back the place of a session that left the store, or of one that was not inserted. */
  void remove() {
    stored.decrementAndGet();
  }

  void clear() {
    stored.set(0);
  }

  @Override
  public String toString() {
    return "maxSessions="
        + maxSessions
        + ", whenFull="
        + whenFull.name().toLowerCase(java.util.Locale.ROOT);
  }
}
