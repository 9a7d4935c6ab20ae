package dev.sessionstore.bench;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.springframework.session.ReactiveMapSessionRepository;
import org.springframework.session.ReactiveSessionRepository;

/**
 * Workload W2, the quiz platform's race: one timer ticks a counter in a session every millisecond
 * while 8 writers each append their answers to their own list in the same session. Run once on the
 * memory store (each change is one {@code update}) and once on Spring Session's {@link
 * ReactiveMapSessionRepository} (each change is {@code findById}, change, {@code save}: the way its
 * API is used), with the same work; reports how many updates each lost and how many it did per
 * second.
 *
 * <p>An update is lost when a later write was built on a copy read before it: an answer missing
 * from its writer's list at the end, or a tick missing from the counter. Run as a program; writes
 * {@code key=value} lines for {@link Report} to the file named by the second argument.
 */
public final class TimerAndWriters {

  static final int WRITERS = 8;

  private TimerAndWriters() {}

  /** One side of the comparison: the three things the workload does with a session. */
  interface Side {
    void answer(String key, String answer);

    void tick();

    /**
     * @return the final session as a map of its attributes
     */
    Map<String, Object> read();
  }

  /** The outcome of one run. */
  record Outcome(long updates, long lost, double seconds) {
    double perSecond() {
      return updates / seconds;
    }
  }

  /**
   * Runs the workload on both sides.
   *
   * @param args optional: answers per writer (default 1250: 10,000 answers) and an output file
   * @throws Exception if a worker fails or the output cannot be written
   */
  public static void main(String[] args) throws Exception {
    int answers = args.length > 0 ? Integer.parseInt(args[0]) : 1250;
    Results out = new Results(args.length > 1 ? args[1] : null);
    compare(
        answers,
        "w2.",
        "memory store",
        TimerAndWriters::memoryStore,
        "Spring ReactiveMapSessionRepository",
        TimerAndWriters::springRepository,
        out);
    out.write();
  }

  /**
   * Runs the workload twice on each side (the first round warms both up), prints the second round
   * and records it under {@code prefix}: {@code store.*}, {@code spring.*}, {@code writers} and
   * {@code answers}.
   */
  static void compare(
      int answersPerWriter,
      String prefix,
      String storeName,
      Supplier<Side> store,
      String springName,
      Supplier<Side> spring,
      Results out)
      throws Exception {
    for (int round = 0; round < 2; round++) {
      Outcome ours = run(store.get(), answersPerWriter);
      Outcome theirs = run(spring.get(), answersPerWriter);
      if (round == 1) {
        print(storeName, ours);
        print(springName, theirs);
        put(out, prefix + "store.", ours);
        put(out, prefix + "spring.", theirs);
      }
    }
    out.put(prefix + "writers", String.valueOf(WRITERS));
    out.put(prefix + "answers", String.valueOf((long) WRITERS * answersPerWriter));
  }

  private static void print(String name, Outcome o) {
    System.out.printf(
        Locale.ROOT,
        "W2 %-40s %,7d updates, %,6d lost, %,10.0f updates/s%n",
        name,
        o.updates(),
        o.lost(),
        o.perSecond());
  }

  private static void put(Results out, String prefix, Outcome o) {
    out.put(prefix + "updates", String.valueOf(o.updates()));
    out.put(prefix + "lost", String.valueOf(o.lost()));
    out.put(prefix + "perSecond", o.perSecond());
  }

  static Outcome run(Side side, int answersPerWriter) throws Exception {
    AtomicLong ticks = new AtomicLong();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      ScheduledFuture<?> ticking =
          timer.scheduleAtFixedRate(
              () -> {
                side.tick();
                ticks.incrementAndGet();
              },
              0,
              1,
              TimeUnit.MILLISECONDS);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        String key = "answers-" + w;
        String prefix = "w" + w + "-q";
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int q = 0; q < answersPerWriter; q++) {
                    side.answer(key, prefix + q);
                  }
                  return null;
                }));
      }
      long began = System.nanoTime();
      start.countDown();
      for (Future<?> f : done) {
        f.get(10, TimeUnit.MINUTES);
      }
      ticking.cancel(false);
      timer.shutdown();
      if (!timer.awaitTermination(1, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the timer did not stop");
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      Map<String, Object> last = side.read();
      long kept = 0;
      for (int w = 0; w < WRITERS; w++) {
        Object list = last.get("answers-" + w);
        kept += list == null ? 0 : ((List<?>) list).size();
      }
      kept += ((Number) last.get("ticks")).longValue();
      long updates = (long) WRITERS * answersPerWriter + ticks.get();
      return new Outcome(updates, updates - kept, seconds);
    } finally {
      timer.shutdownNow();
      pool.shutdownNow();
    }
  }

  private static List<Object> appended(Object old, String answer) {
    List<Object> answers = old == null ? new ArrayList<>() : new ArrayList<>((List<?>) old);
    answers.add(answer);
    return answers;
  }

  static Side memoryStore() {
    return storeSide(SessionStores.open("memory:"));
  }

  /**
   * @param store an open store, closed by {@code read}
   * @return W2 on a fresh session of the store, each change one {@code update}
   */
  static Side storeSide(SessionStore store) {
    String id =
        store
            .create(
                SessionDraft.empty()
                    .withMaxIdle(Duration.ofHours(1))
                    .withData(SessionData.of(Map.of("ticks", 0L))))
            .block()
            .id();
    return new Side() {
      @Override
      public void answer(String key, String answer) {
        store.update(id, s -> s.withAttribute(key, appended(s.attribute(key), answer))).block();
      }

      @Override
      public void tick() {
        store.update(id, s -> s.withAttribute("ticks", (Long) s.attribute("ticks") + 1)).block();
      }

      @Override
      public Map<String, Object> read() {
        Session s = store.get(id).block();
        store.close();
        return s.data().asMap();
      }
    };
  }

  static Side springRepository() {
    return springSide(new ReactiveMapSessionRepository(new ConcurrentHashMap<>()), () -> {});
  }

  /**
   * @param repository a Spring Session repository
   * @param onRead what to release once {@code read} has read the final session
   * @return W2 on a fresh session of the repository, each change {@code findById}, change, {@code
   *     save}
   */
  static <S extends org.springframework.session.Session> Side springSide(
      ReactiveSessionRepository<S> repository, Runnable onRead) {
    S first = repository.createSession().block();
    first.setMaxInactiveInterval(Duration.ofHours(1));
    first.setAttribute("ticks", 0L);
    repository.save(first).block();
    String id = first.getId();
    return new Side() {
      @Override
      public void answer(String key, String answer) {
        S s = repository.findById(id).block();
        s.setAttribute(key, appended(s.getAttribute(key), answer));
        repository.save(s).block();
      }

      @Override
      public void tick() {
        S s = repository.findById(id).block();
        s.setAttribute("ticks", (Long) s.getAttribute("ticks") + 1);
        repository.save(s).block();
      }

      @Override
      public Map<String, Object> read() {
        S s = repository.findById(id).block();
        Map<String, Object> attributes = new HashMap<>();
        for (String name : s.getAttributeNames()) {
          attributes.put(name, s.getAttribute(name));
        }
        onRead.run();
        return attributes;
      }
    };
  }
}
