package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The reaper's timer for Caffeine: it never runs Caffeine's task before the ticker reached the tick
 * the task was planned for (SPEC R4.5), and it cannot spin on a ticker that does not move.
 */
class ReaperTest {

  private static final long TICKS_PER_MS =
      TimeUnit.MILLISECONDS.toNanos(1) * StoreTime.TICKS_PER_NANO;

  @Test
  void aTimerThatFiresBeforeItsTickWaitsForTheRest() {
    VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
    AtomicLong ticks = new AtomicLong();
    AtomicInteger runs = new AtomicInteger();
    try (Reaper reaper = new Reaper(scheduler, Duration.ofMinutes(1), () -> {})) {
      Scheduler timer = reaper.caffeineScheduler(ticks::get);
      Future<?> future =
          timer.schedule(
              Runnable::run, runs::incrementAndGet, 300 * TICKS_PER_MS, TimeUnit.NANOSECONDS);
      // The scheduler's 300 ms have passed, the store clock (milliseconds) still shows 299.
      ticks.set(299 * TICKS_PER_MS);
      scheduler.advanceTimeBy(Duration.ofMillis(300));
      assertThat(runs).as("runs before the planned tick").hasValue(0);
      assertThat(future).isNotDone();
      ticks.set(300 * TICKS_PER_MS);
      scheduler.advanceTimeBy(Duration.ofMillis(1));
      assertThat(runs).as("runs once the planned tick is reached").hasValue(1);
      assertThat(future).isDone();
    } finally {
      scheduler.dispose();
    }
  }

  @Test
  void aTickerThatDoesNotMoveCannotMakeItSpin() {
    VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
    AtomicInteger runs = new AtomicInteger();
    try (Reaper reaper = new Reaper(scheduler, Duration.ofMinutes(1), () -> {})) {
      Scheduler timer = reaper.caffeineScheduler(() -> 0L);
      timer.schedule(
          Runnable::run, runs::incrementAndGet, 300 * TICKS_PER_MS, TimeUnit.NANOSECONDS);
      // 300 ms, then at most MAX_REARMS waits of 300 ms each: it runs anyway, once.
      scheduler.advanceTimeBy(Duration.ofMillis(300L * (Reaper.MAX_REARMS + 1)));
      assertThat(runs).hasValue(1);
      scheduler.advanceTimeBy(Duration.ofHours(1));
      assertThat(runs).hasValue(1);
    } finally {
      scheduler.dispose();
    }
  }

  @Test
  void aCancelledTimerNeverRuns() {
    VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
    AtomicLong ticks = new AtomicLong();
    AtomicInteger runs = new AtomicInteger();
    try (Reaper reaper = new Reaper(scheduler, Duration.ofMinutes(1), () -> {})) {
      Scheduler timer = reaper.caffeineScheduler(ticks::get);
      Future<?> future =
          timer.schedule(
              Runnable::run, runs::incrementAndGet, 300 * TICKS_PER_MS, TimeUnit.NANOSECONDS);
      ticks.set(299 * TICKS_PER_MS);
      scheduler.advanceTimeBy(Duration.ofMillis(300)); // fired early, waits again
      assertThat(future.cancel(false)).isTrue();
      ticks.set(400 * TICKS_PER_MS);
      scheduler.advanceTimeBy(Duration.ofSeconds(1));
      assertThat(runs).hasValue(0);
    } finally {
      scheduler.dispose();
    }
  }
}
