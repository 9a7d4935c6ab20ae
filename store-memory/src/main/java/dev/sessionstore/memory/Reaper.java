package dev.sessionstore.memory;

import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;

/**
 * The store's own periodic work, all on the {@link dev.sessionstore.StoreOptions#SCHEDULER} option
 * (Reactor's parallel scheduler by default), so that tests drive it with a virtual-time scheduler:
 * the scheduled {@code cleanup} every {@code cleanupInterval} (SPEC R3.4) and Caffeine's timer, which
 * removes a session when it expires with its {@code EXPIRED} event (SPEC R4.5). Thread-safe.
 */
final class Reaper implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Reaper.class.getName());

  private final reactor.core.scheduler.Scheduler scheduler;
  private final Disposable periodic;

  /**
   * Starts the scheduled cleanup.
   *
   * @param scheduler where the work runs
   * @param interval how often
   * @param cleanup the work; a failure is logged and the schedule goes on
   */
  Reaper(reactor.core.scheduler.Scheduler scheduler, Duration interval, Runnable cleanup) {
    this.scheduler = scheduler;
    long millis = interval.toMillis();
    this.periodic = scheduler.schedulePeriodically(() -> {
      try {
        cleanup.run();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "scheduled cleanup of the memory session store failed", e);
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Caffeine's timer on the same scheduler. Caffeine's delays are in {@link StoreTime} ticks (quarter
   * nanoseconds); after the scheduler is disposed, scheduling does nothing.
   *
   * @return the scheduler for Caffeine
   */
  Scheduler caffeineScheduler() {
    return (Executor executor, Runnable command, long delay, TimeUnit unit) -> {
      long realNanos = Math.max(0L, unit.toNanos(delay) / StoreTime.TICKS_PER_NANO);
      Pending pending = new Pending();
      try {
        pending.task = scheduler.schedule(() -> {
          executor.execute(command);
          pending.complete(null);
        }, realNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException disposed) {
        pending.complete(null);
      }
      return (Future<?>) pending;
    };
  }

  @Override
  public void close() {
    periodic.dispose();
  }

  /** A scheduled Caffeine task as the {@link Future} Caffeine cancels when it reschedules. */
  private static final class Pending extends CompletableFuture<Void> {
    volatile Disposable task = () -> {};

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      task.dispose();
      return super.cancel(mayInterruptIfRunning);
    }
  }
}
