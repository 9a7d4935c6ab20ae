package dev.sessionstore.memory;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.Disposables;

/**
 * The store's own periodic work, all on the {@link dev.sessionstore.StoreOptions#SCHEDULER} option
 * (Reactor's parallel scheduler by default), so that tests drive it with a virtual-time scheduler:
 * the scheduled {@code cleanup} every {@code cleanupInterval} (SPEC R3.4) and the timer of {@link
 * Deadlines}, which removes a session soon after it expires, with its {@code EXPIRED} event (SPEC
 * R4.5). Thread-safe.
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
    this.periodic =
        scheduler.schedulePeriodically(
            () -> runLogged(cleanup), millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * The timer of {@link Deadlines}, on the same scheduler; after the scheduler is disposed,
   * scheduling does nothing.
   *
   * @return the timer
   */
  Deadlines.Timer timer() {
    return (task, delayMillis) -> {
      try {
        return scheduler.schedule(() -> runLogged(task), delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException disposed) {
        return Disposables.disposed();
      }
    };
  }

  /** Runs scheduled work; a failure is logged, and the next run goes ahead as planned. */
  private static void runLogged(Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "scheduled work of the memory session store failed", e);
    }
  }

  @Override
  public void close() {
    periodic.dispose();
  }
}
