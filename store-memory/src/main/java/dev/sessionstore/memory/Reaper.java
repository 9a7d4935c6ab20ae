package dev.sessionstore.memory;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
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
 * the scheduled {@code cleanup} every {@code cleanupInterval} (SPEC R3.4) and Caffeine's timer,
 * which removes a session when it expires with its {@code EXPIRED} event (SPEC R4.5). Thread-safe.
 */
final class Reaper implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Reaper.class.getName());

  /** How often a timer task that fired before its tick waits again before it runs anyway. */
  static final int MAX_REARMS = 3;

  private static final long MIN_REARM_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

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
    this.periodic =
        scheduler.schedulePeriodically(
            () -> {
              try {
                cleanup.run();
              } catch (RuntimeException e) {
                LOG.log(
                    System.Logger.Level.WARNING,
                    "scheduled cleanup of the memory session store failed",
                    e);
              }
            },
            millis,
            millis,
            TimeUnit.MILLISECONDS);
  }

  /**
   * Caffeine's timer on the same scheduler. Caffeine's delays are in {@link StoreTime} ticks
   * (quarter nanoseconds); after the scheduler is disposed, scheduling does nothing.
   *
   * <p>A timer task runs Caffeine's maintenance only once {@code ticker} has reached the tick it
   * was due at; if it fires earlier (the scheduler counts {@code System.nanoTime}, the ticker the
   * store clock in milliseconds), it waits again for the rest. Caffeine's pacer must never see its
   * timer run before the tick it planned: it would take the running task for a later one still
   * pending, plan no new one, and the next expiry would wait for the next write or scheduled
   * cleanup (SPEC R4.5). It waits again at most {@value #MAX_REARMS} times, at least a millisecond
   * each (a test clock that does not move while a virtual-time scheduler advances must not make it
   * spin), then runs anyway.
   *
   * @param ticker the clock Caffeine reads
   * @return the scheduler for Caffeine
   */
  Scheduler caffeineScheduler(Ticker ticker) {
    return (Executor executor, Runnable command, long delay, TimeUnit unit) -> {
      long dueTick = StoreTime.saturatedAdd(ticker.read(), unit.toNanos(delay));
      Pending pending = new Pending(executor, command, ticker, dueTick);
      pending.arm(ceilNanos(unit.toNanos(delay)));
      return (Future<?>) pending;
    };
  }

  /** Ticks as nanoseconds, rounded up. */
  private static long ceilNanos(long ticks) {
    return Math.max(
        0L, ticks / StoreTime.TICKS_PER_NANO + (ticks % StoreTime.TICKS_PER_NANO == 0 ? 0 : 1));
  }

  @Override
  public void close() {
    periodic.dispose();
  }

  /** A scheduled Caffeine task as the {@link Future} Caffeine cancels when it reschedules. */
  private final class Pending extends CompletableFuture<Void> {
    private final Executor executor;
    private final Runnable command;
    private final Ticker ticker;
    private final long dueTick;
    private volatile Disposable task = () -> {};
    private int rearms;

    Pending(Executor executor, Runnable command, Ticker ticker, long dueTick) {
      this.executor = executor;
      this.command = command;
      this.ticker = ticker;
      this.dueTick = dueTick;
    }

    /** Schedules the task in {@code realNanos} nanoseconds of the scheduler's time. */
    void arm(long realNanos) {
      try {
        task = scheduler.schedule(this::fire, realNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException disposed) {
        complete(null);
        return;
      }
      if (isDone()) {
        task.dispose(); // cancelled while it was being armed
      }
    }

    private void fire() {
      if (isDone()) {
        return;
      }
      long early = dueTick - ticker.read();
      if (early > 0 && rearms < MAX_REARMS) {
        rearms++; // only this task's own thread touches it: each run is scheduled by the previous
        // one
        arm(Math.max(MIN_REARM_NANOS, ceilNanos(early)));
        return;
      }
      try {
        executor.execute(command);
      } finally {
        complete(null);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      task.dispose();
      return cancelled;
    }
  }
}
