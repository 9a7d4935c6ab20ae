package dev.sessionstore.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tasks on real threads that all start at the same moment (behind a start gate), so that the
 * kit's concurrency tests make operations overlap on purpose rather than by luck.
 */
final class Race implements AutoCloseable {

  /** The longest one round of a race may take before the test fails. */
  static final Duration ROUND_WAIT = Duration.ofSeconds(60);

  private final ExecutorService threads;
  private final int size;

  Race(int size, String name) {
    this.size = size;
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            size,
            r -> {
              Thread t = new Thread(r, "tck-" + name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts every task at once and returns their results in task order. A task's exception fails the
   * test, naming the task.
   */
  <T> List<T> run(List<Callable<T>> tasks) {
    if (tasks.size() > size) {
      throw new IllegalArgumentException("more tasks than threads: " + tasks.size() + " > " + size);
    }
    CountDownLatch ready = new CountDownLatch(tasks.size());
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> task : tasks) {
      futures.add(
          threads.submit(
              () -> {
                ready.countDown();
                go.await();
                return task.call();
              }));
    }
    try {
      if (!ready.await(ROUND_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the race's threads did not start within " + ROUND_WAIT);
      }
      go.countDown();
      long deadline = System.nanoTime() + ROUND_WAIT.toNanos();
      List<T> results = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        try {
          results.add(
              futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof AssertionError) {
            throw (AssertionError) cause;
          }
          throw new AssertionError("racing task " + i + " failed: " + cause, cause);
        } catch (TimeoutException e) {
          throw new AssertionError("racing task " + i + " did not finish within " + ROUND_WAIT);
        }
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during a race", e);
    } finally {
      for (Future<T> future : futures) {
        future.cancel(true);
      }
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
