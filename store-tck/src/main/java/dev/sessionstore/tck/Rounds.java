package dev.sessionstore.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Many short races: each round starts 2 to {@link #MAX_RACERS} operations at the same instant (a
 * {@link CyclicBarrier} releases dedicated threads together, and each racer then waits its own few
 * microseconds, so that arrivals spread over the length of one operation), and every other racer
 * hops to a thread of Reactor's parallel scheduler before it subscribes, so that the store also
 * sees its operations arrive on the threads it is meant to serve. A narrow race (a check and a
 * write done in two steps) shows up as a wrong outcome in a fraction of rounds; many fresh rounds
 * catch it reliably where one long race would settle into a rhythm that hides it.
 */
final class Rounds implements AutoCloseable {

  /** The most racers of one round. */
  static final int MAX_RACERS = 8;

  private static final Duration ROUND_WAIT = Duration.ofSeconds(30);

  private final ExecutorService threads;
  private final CyclicBarrier[] barriers = new CyclicBarrier[MAX_RACERS + 1];
  private static final long[] SPREADS_NANOS = {0, 5_000, 20_000, 80_000};
  private long roundCounter;

  Rounds(String name) {
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            MAX_RACERS,
            r -> {
              Thread t = new Thread(r, "tck-" + name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    for (int parties = 2; parties <= MAX_RACERS; parties++) {
      barriers[parties] = new CyclicBarrier(parties);
    }
  }

  /** The number of racers of round {@code round}: cycles through 2 to {@link #MAX_RACERS}. */
  static int racers(int round) {
    return 2 + round % (MAX_RACERS - 1);
  }

  /**
   * Runs one round: subscribes to every operation at the same instant and waits for all outcomes.
   *
   * @param operations 2 to {@link #MAX_RACERS} operations, each assembled when its racer starts
   * @return the outcomes, in the order of the operations
   */
  <T> List<Kit.Outcome<T>> race(List<Supplier<Mono<T>>> operations) {
    int parties = operations.size();
    // Racers released in lockstep queue on a store's lock and are served one by one; racers that
    // arrive
    // spread over a few microseconds also land between two steps of one operation. The spread
    // varies by
    // round: none, then up to 5, 20 and 80 microseconds, each racer at its own offset.
    long spreadNanos = SPREADS_NANOS[(int) (roundCounter++ % SPREADS_NANOS.length)];
    if (parties < 2 || parties > MAX_RACERS) {
      throw new IllegalArgumentException(
          "a round needs 2 to " + MAX_RACERS + " racers, got " + parties);
    }
    CyclicBarrier barrier = barriers[parties];
    List<CompletableFuture<Kit.Outcome<T>>> futures = new ArrayList<>();
    for (int i = 0; i < parties; i++) {
      Supplier<Mono<T>> operation = operations.get(i);
      boolean onParallel = i % 2 == 1;
      futures.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  barrier.await(ROUND_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                  throw new IllegalStateException(
                      "the racers of a round did not all start: " + e, e);
                }
                if (spreadNanos > 0) {
                  long until =
                      System.nanoTime()
                          + java.util.concurrent.ThreadLocalRandom.current().nextLong(spreadNanos);
                  while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // a busy wait of microseconds: a sleep would be far too
                    // coarse
                  }
                }
                Mono<T> mono = Mono.defer(operation);
                return Kit.outcome(
                    onParallel ? mono.subscribeOn(Schedulers.parallel()) : mono, "racer");
              },
              threads));
    }
    List<Kit.Outcome<T>> outcomes = new ArrayList<>();
    for (CompletableFuture<Kit.Outcome<T>> future : futures) {
      try {
        outcomes.add(future.get(ROUND_WAIT.toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        barrier.reset();
        Throwable cause = e.getCause();
        if (cause instanceof AssertionError) {
          throw (AssertionError) cause;
        }
        throw new AssertionError("a racer failed: " + cause, cause);
      } catch (TimeoutException e) {
        barrier.reset();
        throw new AssertionError(
            "a round of " + parties + " racers did not finish within " + ROUND_WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted during a round", e);
      }
    }
    return outcomes;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
