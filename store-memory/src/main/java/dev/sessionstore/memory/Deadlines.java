package dev.sessionstore.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * When ids fall due, in coarse buckets, and the one timer that wakes up for the earliest bucket
 * (SPEC R4.5: {@code EXPIRED} within a second of expiry with no call from the user).
 *
 * <p>An id is put in the bucket of the first multiple of {@link #BUCKET_MILLIS} at or after the
 * moment it falls due (a session's expiry, a tombstone's end of grace). When a bucket's time comes,
 * each of its ids is handed to the {@code check} given to the constructor, which decides under the
 * id's lock: a record that is due is removed; one that is not (its session was refreshed since) is
 * put in the bucket of its real deadline. Buckets are only a hint of when to look, so an id may be
 * in several, or in one for a record that is already gone; what is live is always decided by the
 * record itself.
 *
 * <p>That makes the bookkeeping lazy: a write that moves a deadline later (every refresh and update
 * of a session with an idle limit) touches nothing here, because the earlier bucket will look at
 * the id first. Only a new record, or one whose deadline moved earlier, is added to a bucket.
 *
 * <p>Time is the store clock in epoch milliseconds; the timer runs on the store's scheduler, which
 * counts its own time, so a timer that fires before the store clock reached its bucket waits again
 * for the rest, at most {@value #MAX_EARLY_FIRES} times in a row (a test clock that does not move
 * must not keep it busy), after which the next {@link #add} or {@link #runDue} arms it again.
 * Thread-safe.
 */
final class Deadlines {

  /** The width of a bucket: a record is looked at at most this long after it fell due. */
  static final long BUCKET_MILLIS = 250;

  /** How often in a row the timer may fire before the store clock reached its bucket. */
  static final int MAX_EARLY_FIRES = 3;

  /** The longest the timer waits at once; a later bucket is reached in several waits. */
  static final long MAX_WAIT_MILLIS = 3_600_000L;

  /** The soonest the timer fires again after firing early. */
  private static final long MIN_WAIT_MILLIS = 1;

  /**
   * How the timer is scheduled: run {@code task} in {@code delayMillis} of the scheduler's time.
   */
  @FunctionalInterface
  interface Timer {
    /**
     * Schedules a task.
     *
     * @param task the task
     * @param delayMillis the delay
     * @return how to cancel it
     */
    Disposable schedule(Runnable task, long delayMillis);
  }

  /** One bucket's ids. Closed once taken out of the map: an id added after that goes elsewhere. */
  private static final class Bucket {
    private final ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /**
     * @return false if the bucket was closed: the id may or may not be seen, add it again
     */
    boolean add(String id) {
      ids.add(id);
      return !closed;
    }
  }

  private final ConcurrentSkipListMap<Long, Bucket> buckets = new ConcurrentSkipListMap<>();
  private final LongSupplier clockMillis;
  private final Timer timer;
  private final Consumer<String> check;

  // The armed timer: written under this, armedFor also read without it on every add.
  private volatile long armedFor = Long.MAX_VALUE;
  private @Nullable Disposable armed;
  private int earlyFires;

  /**
   * Creates an empty set of buckets; nothing is scheduled until an id is added.
   *
   * @param clockMillis the store clock in epoch milliseconds
   * @param timer where the timer runs
   * @param check looks at one id whose bucket came due, under that id's lock
   */
  Deadlines(LongSupplier clockMillis, Timer timer, Consumer<String> check) {
    this.clockMillis = clockMillis;
    this.timer = timer;
    this.check = check;
  }

  /**
   * Puts an id in the bucket of a deadline, and arms the timer for the earliest bucket if it was
   * armed for none earlier than this one.
   *
   * @param id the id
   * @param dueMillis when the id's record falls due, epoch milliseconds of the store clock
   */
  void add(String id, long dueMillis) {
    long at = bucketOf(dueMillis);
    while (!buckets.computeIfAbsent(at, k -> new Bucket()).add(id)) {
      // The bucket was taken out to run while the id went in: put it in a fresh one.
    }
    if (at < armedFor) {
      armForFirst(false); // the earliest bucket, which may be earlier than this one
    }
  }

  /**
   * Looks at every id of the buckets whose time has come on the store clock, then arms the timer
   * for the earliest bucket left.
   */
  void runDue() {
    runDueAndArm(false);
  }

  /**
   * Looks at every id of the buckets up to a moment: those of the buckets present when called, not
   * those a check puts back.
   *
   * @param limitMillis the latest bucket time to run, epoch milliseconds of the store clock
   */
  void runUpTo(long limitMillis) {
    List<Bucket> taken = new ArrayList<>();
    for (Map.Entry<Long, Bucket> first = buckets.firstEntry();
        first != null && first.getKey() <= limitMillis;
        first = buckets.firstEntry()) {
      if (buckets.remove(first.getKey(), first.getValue())) {
        first.getValue().closed = true;
        taken.add(first.getValue());
      }
    }
    for (Bucket bucket : taken) {
      for (String id = bucket.ids.poll(); id != null; id = bucket.ids.poll()) {
        check.accept(id);
      }
    }
  }

  /** Forgets every bucket and disarms the timer. */
  void clear() {
    synchronized (this) {
      disarm();
    }
    buckets.clear();
  }

  /** How many buckets are waiting; for tests. */
  int bucketCount() {
    return buckets.size();
  }

  private static long bucketOf(long dueMillis) {
    long rest = Math.floorMod(dueMillis, BUCKET_MILLIS);
    if (rest == 0) {
      return dueMillis;
    }
    long up = BUCKET_MILLIS - rest;
    return dueMillis > Long.MAX_VALUE - up ? Long.MAX_VALUE : dueMillis + up;
  }

  /**
   * The timer's task for the bucket time {@code at}.
   *
   * @param at the bucket time
   * @param partWay whether the wait was cut to {@link #MAX_WAIT_MILLIS}: firing before {@code at}
   *     is then planned, not early
   */
  private void fire(long at, boolean partWay) {
    boolean early = !partWay && clockMillis.getAsLong() < at;
    synchronized (this) {
      if (armedFor != at) {
        return; // superseded by an earlier bucket's timer, which is armed
      }
      armedFor = Long.MAX_VALUE;
      armed = null;
    }
    runDueAndArm(early);
  }

  private void runDueAndArm(boolean afterEarlyFire) {
    try {
      runUpTo(clockMillis.getAsLong());
    } finally {
      armForFirst(afterEarlyFire); // also after a failed check: the buckets left get their timer
    }
  }

  private void armForFirst(boolean afterEarlyFire) {
    Map.Entry<Long, Bucket> first = buckets.firstEntry();
    if (first != null) {
      arm(first.getKey(), afterEarlyFire);
    }
  }

  /**
   * Arms the timer for the bucket time {@code at} unless it is armed for that or an earlier one.
   */
  private void arm(long at, boolean afterEarlyFire) {
    synchronized (this) {
      if (at >= armedFor) {
        return;
      }
      if (afterEarlyFire) {
        if (++earlyFires > MAX_EARLY_FIRES) {
          earlyFires = 0;
          return; // the clock does not move: wait for the next add or runDue
        }
      } else {
        earlyFires = 0;
      }
      disarm();
      long wait = Math.max(MIN_WAIT_MILLIS, at - clockMillis.getAsLong());
      // A bucket beyond the longest wait is reached in several waits, none of them early.
      boolean partWay = wait > MAX_WAIT_MILLIS;
      armedFor = at;
      armed = timer.schedule(() -> fire(at, partWay), partWay ? MAX_WAIT_MILLIS : wait);
    }
  }

  private void disarm() {
    Disposable current = armed;
    if (current != null) {
      current.dispose();
    }
    armed = null;
    armedFor = Long.MAX_VALUE;
  }
}
