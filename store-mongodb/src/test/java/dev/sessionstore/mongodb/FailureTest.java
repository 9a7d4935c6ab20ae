package dev.sessionstore.mongodb;

import static dev.sessionstore.mongodb.MongoTesting.await;
import static dev.sessionstore.mongodb.MongoTesting.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreUnavailableException;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Losing MongoDB: operations fail fast, the store recovers, acknowledged writes stay. */
class FailureTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private final TestClock clock = new TestClock(MongoTesting.START);
  private SessionStore store;

  /** Far beyond the timeout: only a hang can miss it, not a busy machine. */
  private static final Duration HANG = Duration.ofSeconds(30);

  @BeforeEach
  void open() {
    String collection = EmbeddedMongo.get().freshCollection();
    // The indexes are set up without a tight time limit; the store under test skips that step, so
    // its short timeout only bounds the operations the test cuts off.
    SessionStores.open(options(collection, clock, "timeout=60s")).close();
    store = SessionStores.open(options(collection, clock, "timeout=1s&createIndexes=false"));
  }

  @AfterEach
  void close() throws Exception {
    EmbeddedMongo.get().proxy().restore();
    if (store != null) {
      store.close();
    }
  }

  /** Subscribes and measures: the outcome must come, not hang (R8.1). */
  private static Object timed(String what, Supplier<Mono<?>> op) {
    long start = System.nanoTime();
    Object outcome;
    try {
      outcome = op.get().block(HANG.plusSeconds(10));
    } catch (RuntimeException e) {
      outcome = e;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took)
        .as("%s took %s", what, took)
        .isGreaterThanOrEqualTo(Duration.ZERO)
        .isLessThan(TIMEOUT.plus(HANG));
    return outcome;
  }

  @Test
  void everyOperationFailsFastWhileCutAndTheStoreRecovers() throws Exception {
    Session s =
        await(
            store.create(
                SessionDraft.of(SessionData.of(Map.of("k", 1L))).withMaxIdle(Duration.ofHours(1))));
    EmbeddedMongo.get().proxy().cut();
    Map<String, Supplier<Mono<?>>> ops = new LinkedHashMap<>();
    ops.put("create", () -> store.create(SessionDraft.empty()));
    ops.put("get", () -> store.get(s.id()));
    ops.put("touch", () -> store.touch(s.id()));
    ops.put("save", () -> store.save(s));
    ops.put("saveIfUnchanged", () -> store.saveIfUnchanged(s));
    ops.put("update", () -> store.update(s.id(), x -> x.withAttribute("k", 2L)));
    ops.put("destroy", () -> store.destroy(s.id()));
    ops.put("regenerate", () -> store.regenerate(s.id()));
    ops.put("findByPrincipal", () -> store.findByPrincipal("alice").collectList());
    ops.put("all", () -> store.all().collectList());
    ops.put("count", () -> store.count());
    ops.put("clear", () -> store.clear());
    ops.put("cleanup", () -> store.cleanup());
    // All at once, each on its own thread: every one must fail on its own within the timeout.
    ExecutorService threads = Executors.newFixedThreadPool(ops.size());
    try {
      Map<String, Future<Object>> outcomes = new LinkedHashMap<>();
      for (Map.Entry<String, Supplier<Mono<?>>> op : ops.entrySet()) {
        outcomes.put(op.getKey(), threads.submit(() -> timed(op.getKey(), op.getValue())));
      }
      for (Map.Entry<String, Future<Object>> outcome : outcomes.entrySet()) {
        assertThat(outcome.getValue().get())
            .as(outcome.getKey())
            .isInstanceOf(StoreUnavailableException.class);
      }
    } finally {
      threads.shutdown();
    }
    EmbeddedMongo.get().proxy().restore();
    // A command cut off by the timeout may still reach MongoDB once it is back (as with any remote
    // store, a failed write may or may not have been applied), so recovery is checked on a new
    // session: the store must serve again without being reopened.
    Session fresh = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (fresh == null && System.nanoTime() < deadline) {
      try {
        fresh = store.create(SessionDraft.of(SessionData.of(Map.of("k", 3L)))).block(HANG);
      } catch (StoreUnavailableException e) {
        // still reconnecting
      }
    }
    assertThat(fresh).as("a session created after the connection came back").isNotNull();
    Session back = await(store.get(fresh.id()));
    assertThat(back.attribute("k")).isEqualTo(3L);
    assertThat(back.version()).isEqualTo(1L);
    Session old = await(store.get(s.id()));
    if (old != null) {
      assertThat(old.attribute("k"))
          .as("the old session: unchanged or one of the cut writes")
          .isIn(1L, 2L);
    }
  }

  @Test
  void acknowledgedWritesSurviveAServerRestartAndNothingHangs() throws Exception {
    int writers = 4;
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      sessions.add(await(store.create(SessionDraft.empty().withMaxIdle(Duration.ofHours(1)))));
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong failures = new AtomicLong();
    AtomicLong slowest = new AtomicLong();
    long[] acknowledged = new long[writers];
    long[] unknown = new long[writers];
    ExecutorService threads = Executors.newFixedThreadPool(writers);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int me = w;
      futures.add(
          threads.submit(
              () -> {
                while (!stop.get()) {
                  long start = System.nanoTime();
                  try {
                    Session done =
                        store
                            .update(
                                sessions.get(me).id(),
                                x ->
                                    x.withAttribute(
                                        "n",
                                        x.attribute("n") == null
                                            ? 1L
                                            : (Long) x.attribute("n") + 1))
                            .block(Duration.ofSeconds(10));
                    assertThat(done).isNotNull();
                    acknowledged[me]++;
                  } catch (StoreUnavailableException e) {
                    failures.incrementAndGet();
                    unknown[me]++; // it may or may not have been applied
                  }
                  slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                }
              }));
    }
    try {
      waitFor(() -> acknowledged[0] > 20);
      int connections = EmbeddedMongo.get().proxy().accepted();
      EmbeddedMongo.get().restartServer();
      long before = sum(acknowledged);
      waitFor(() -> sum(acknowledged) > before + 50);
      assertThat(EmbeddedMongo.get().proxy().accepted())
          .as("connections after the restart")
          .isGreaterThan(connections);
    } finally {
      stop.set(true);
      for (Future<?> f : futures) {
        f.get();
      }
      threads.shutdown();
    }

    for (int w = 0; w < writers; w++) {
      Session end = await(store.get(sessions.get(w).id()));
      long n = (Long) end.attribute("n");
      assertThat(n)
          .as("updates of writer %d: %d acknowledged, %d unknown", w, acknowledged[w], unknown[w])
          .isBetween(acknowledged[w], acknowledged[w] + unknown[w]);
      assertThat(end.version()).isEqualTo(1 + n);
    }
    assertThat(Duration.ofNanos(slowest.get()))
        .as("slowest update: nothing hangs")
        .isLessThan(TIMEOUT.plus(HANG));
  }

  private static long sum(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return sum;
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) {
    MongoTesting.eventually("progress", condition);
  }
}
