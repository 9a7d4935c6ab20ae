package dev.sessionstore.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.Session;

/**
 * The workload at the repository level, as Spring's WebFlux session support runs each
 * request (load a working copy, change it, save it): 8 concurrent "requests" of one session each
 * set their own attribute to 1..100 while a ninth increments a counter 100 times.
 */
final class LostUpdates {

  static final int WRITERS = 8;
  static final int ROUNDS = 100;

  /**
   * What survived.
   *
   * @param counter the counter's final value (100 if no increment was lost)
   * @param staleWriters how many writers' attributes do not hold their last value 100
   */
  record Result(long counter, int staleWriters) {
    long lost() {
      return (ROUNDS - counter) + staleWriters;
    }

    @Override
    public String toString() {
      return "counter "
          + counter
          + " of "
          + ROUNDS
          + ", "
          + staleWriters
          + " of "
          + WRITERS
          + " writers' attributes not at their last value";
    }
  }

  private LostUpdates() {}

  static <S extends Session> Result run(ReactiveSessionRepository<S> repository, String id)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        String name = "w" + w;
        tasks.add(
            pool.submit(
                () -> {
                  for (long i = 1; i <= ROUNDS; i++) {
                    S session = repository.findById(id).block();
                    session.setAttribute(name, i);
                    repository.save(session).block();
                  }
                }));
      }
      tasks.add(
          pool.submit(
              () -> {
                for (int i = 1; i <= ROUNDS; i++) {
                  S session = repository.findById(id).block();
                  Long counter = session.getAttribute("counter");
                  session.setAttribute("counter", counter == null ? 1L : counter + 1);
                  repository.save(session).block();
                }
              }));
      for (Future<?> task : tasks) {
        task.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    S last = repository.findById(id).block();
    Long counter = last.getAttribute("counter");
    int stale = 0;
    for (int w = 0; w < WRITERS; w++) {
      Long value = last.getAttribute("w" + w);
      if (value == null || value != ROUNDS) {
        stale++;
      }
    }
    return new Result(counter == null ? 0 : counter, stale);
  }
}
