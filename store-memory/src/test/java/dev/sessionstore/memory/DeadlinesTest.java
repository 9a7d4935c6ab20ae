package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The buckets and the timer that wake up the memory store for expired records (SPEC R4.5): a bucket
 * is looked at once its time has come on the store clock, never before, and a store clock that does
 * not move cannot keep the timer busy.
 */
class DeadlinesTest {

  private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
  private final Reaper reaper = new Reaper(scheduler, Duration.ofDays(1), () -> {});
  private final AtomicLong clock = new AtomicLong(1_000_000L);
  private final List<String> checked = new ArrayList<>();
  private final Deadlines deadlines = new Deadlines(clock::get, reaper.timer(), checked::add);

  @AfterEach
  void stop() {
    reaper.close();
    scheduler.dispose();
  }

  /**
   * Moves the store clock and the scheduler together, as time passes in production: in steps of at
   * most a second, the clock first.
   */
  private void pass(long millis) {
    for (long left = millis; left > 0; left -= 1000) {
      long step = Math.min(1000, left);
      clock.addAndGet(step);
      scheduler.advanceTimeBy(Duration.ofMillis(step));
    }
  }

  @Test
  void anIdIsCheckedOnceItsBucketTimeHasComeAndNotBefore() {
    deadlines.add("a", clock.get() + 300); // bucket at +500 (buckets of 250 ms)
    pass(499);
    assertThat(checked).as("checked before the bucket's time").isEmpty();
    pass(1);
    assertThat(checked).as("checked at the bucket's time").containsExactly("a");
    pass(10_000);
    assertThat(checked).as("checked once").containsExactly("a");
    assertThat(deadlines.bucketCount()).isZero();
  }

  @Test
  void aBucketIsLookedAtWithinOneBucketOfItsDeadline() {
    long start = clock.get();
    for (int i = 1; i <= 1000; i++) {
      deadlines.add("id" + i, start + i);
    }
    // Each id is looked at no later than BUCKET_MILLIS after its deadline.
    for (int ms = 1; ms <= 1000 + (int) Deadlines.BUCKET_MILLIS; ms++) {
      pass(1);
      int due = (int) Math.min(1000, clock.get() - start);
      int atLeast = (int) Math.max(0, due - Deadlines.BUCKET_MILLIS);
      assertThat(checked.size()).as("ids checked at +%d ms", ms).isBetween(atLeast, due);
    }
    assertThat(checked).hasSize(1000).doesNotHaveDuplicates();
  }

  @Test
  void anEarlierBucketArmsTheTimerEarlier() {
    deadlines.add("late", clock.get() + 60_000);
    deadlines.add("soon", clock.get() + 100);
    pass(250);
    assertThat(checked).containsExactly("soon");
    pass(60_000);
    assertThat(checked).containsExactly("soon", "late");
  }

  @Test
  void aTimerThatFiresBeforeTheStoreClockReachedItsBucketWaitsForTheRest() {
    deadlines.add("a", clock.get() + 250);
    // The scheduler's 250 ms have passed, the store clock shows one millisecond less.
    clock.addAndGet(249);
    scheduler.advanceTimeBy(Duration.ofMillis(250));
    assertThat(checked).as("checked before the store clock reached the bucket").isEmpty();
    clock.addAndGet(1);
    scheduler.advanceTimeBy(Duration.ofMillis(1));
    assertThat(checked).containsExactly("a");
  }

  @Test
  void aStoreClockThatDoesNotMoveCannotKeepTheTimerBusy() {
    AtomicLong armed = new AtomicLong();
    Deadlines.Timer timer = reaper.timer();
    Deadlines counted =
        new Deadlines(
            clock::get,
            (task, delay) -> {
              armed.incrementAndGet();
              return timer.schedule(task, delay);
            },
            checked::add);
    counted.add("a", clock.get() + 250);
    scheduler.advanceTimeBy(Duration.ofHours(1));
    // Armed once by add, then once after each early fire but the last.
    assertThat(armed).as("times the timer was armed").hasValue(1 + Deadlines.MAX_EARLY_FIRES);
    assertThat(checked).isEmpty();
    clock.addAndGet(250);
    counted.runDue();
    assertThat(checked).as("checked by runDue once the clock moved").containsExactly("a");
  }

  @Test
  void afterTheTimerGaveUpAnAddArmsItForTheEarliestBucket() {
    deadlines.add("a", clock.get() + 250);
    scheduler.advanceTimeBy(Duration.ofHours(1)); // the store clock does not move: it gives up
    assertThat(checked).isEmpty();
    clock.addAndGet(250); // now "a" is due
    deadlines.add("b", clock.get() + 60_000);
    scheduler.advanceTimeBy(Duration.ofMillis(1));
    assertThat(checked).as("checked within a millisecond of the next add").containsExactly("a");
  }

  @Test
  void aBucketBeyondTheLongestWaitIsReachedInSeveralWaits() {
    deadlines.add("a", clock.get() + Duration.ofHours(5).toMillis());
    pass(Duration.ofHours(5).toMillis() - 1);
    assertThat(checked).isEmpty();
    pass(1);
    assertThat(checked).containsExactly("a");
  }

  @Test
  void runUpToChecksOnlyTheBucketsPresentWhenCalled() {
    List<String> seen = new ArrayList<>();
    Deadlines[] self = new Deadlines[1];
    // A check that puts every id back into a bucket that is due as well must not loop.
    self[0] =
        new Deadlines(
            clock::get,
            reaper.timer(),
            id -> {
              seen.add(id);
              self[0].add(id, clock.get());
            });
    self[0].add("a", clock.get() + 100);
    self[0].runUpTo(clock.get() + Deadlines.BUCKET_MILLIS);
    assertThat(seen).containsExactly("a");
    assertThat(self[0].bucketCount()).isEqualTo(1);
  }

  @Test
  void clearForgetsEverythingAndDisarms() {
    deadlines.add("a", clock.get() + 100);
    deadlines.clear();
    pass(10_000);
    assertThat(checked).isEmpty();
    assertThat(deadlines.bucketCount()).isZero();
  }
}
