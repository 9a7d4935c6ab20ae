package dev.sessionstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionstore.SessionData;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Runs every benchmark method once, outside JMH, so that a benchmark that no longer works (a store
 * operation that completes empty because the ids are wrong, a reference that throws) fails the
 * build instead of producing a meaningless number. Measures nothing.
 */
class BenchmarksRunOnceTest {

  @Test
  void memoryStoreBenchmarksEachRunOnce() throws Exception {
    assertEquals(21, runEach(new MemoryStoreBenchmark()));
  }

  @Test
  void sessionDataBenchmarksEachRunOnce() throws Exception {
    assertEquals(3, runEach(new SessionDataBenchmark()));
  }

  @Test
  void saveGetBenchmarksEachRunOnceAndReadBackTheSameAttribute() throws Exception {
    SaveGetBenchmark benchmark = new SaveGetBenchmark();
    assertEquals(3, runEach(benchmark));
    benchmark.setUp();
    try {
      MemoryStoreBenchmark.Cursor cursor = new MemoryStoreBenchmark.Cursor();
      cursor.setUp();
      Object ours = benchmark.store_saveThenGet(cursor);
      cursor.setUp();
      assertEquals(ours, benchmark.spring_saveThenFindById(cursor));
      cursor.setUp();
      assertEquals(ours, benchmark.store_saveThenGet_dataPrebuilt(cursor));
    } finally {
      benchmark.tearDown();
    }
  }

  @Test
  void theKibPayloadIsAboutOneKibAndTheCopiesAgree() {
    Map<String, Object> payload = Payloads.kib(42);
    long size = SessionData.of(payload).estimatedSize();
    assertTrue(size >= 900 && size <= 1200, "encoded size " + size);
    // The reference copy holds the same tree (before normalisation: Integer scores stay Integer).
    assertEquals(payload, SessionDataBenchmark.copyMap(payload));
  }

  @Test
  void w2LosesNoUpdateOnTheMemoryStore() throws Exception {
    TimerAndWriters.Outcome store = TimerAndWriters.run(TimerAndWriters.memoryStore(), 50);
    assertEquals(0, store.lost(), "updates lost by the memory store");
    assertTrue(store.updates() >= TimerAndWriters.WRITERS * 50L);
    TimerAndWriters.Outcome spring = TimerAndWriters.run(TimerAndWriters.springRepository(), 50);
    assertTrue(spring.lost() >= 0 && spring.lost() <= spring.updates(), "lost " + spring.lost());
  }

  @Test
  void mongoStoreBenchmarksEachRunOnce() throws Exception {
    assertEquals(10, runEach(new MongoStoreBenchmark()));
  }

  @Test
  void mongoSaveGetBenchmarksEachRunOnceAndReadBackTheSameAttribute() throws Exception {
    MongoSaveGetBenchmark benchmark = new MongoSaveGetBenchmark();
    assertEquals(3, runEach(benchmark));
    benchmark.setUp();
    try {
      Object ours = benchmark.store_saveThenGet(new MongoStoreBenchmark.Cursor());
      assertEquals("user-42@example.com", ours);
      assertEquals(ours, benchmark.spring_saveThenFindById(new MongoStoreBenchmark.Cursor()));
      assertEquals(ours, benchmark.driver_saveThenGet_sameShape(new MongoStoreBenchmark.Cursor()));
    } finally {
      benchmark.tearDown();
    }
  }

  @Test
  void w2LosesNoUpdateOnTheMongoStore() throws Exception {
    try (EmbeddedMongo mongo = new EmbeddedMongo()) {
      TimerAndWriters.Outcome store =
          TimerAndWriters.run(MongoTimerAndWriters.mongoStore(mongo), 10);
      assertEquals(0, store.lost(), "updates lost by the MongoDB store");
      assertTrue(store.updates() >= TimerAndWriters.WRITERS * 10L);
      TimerAndWriters.Outcome spring =
          TimerAndWriters.run(MongoTimerAndWriters.springRepository(mongo), 10);
      assertTrue(spring.lost() >= 0 && spring.lost() <= spring.updates(), "lost " + spring.lost());
    }
  }

  @Test
  void reportPairsEveryBenchmarkWithItsReference() throws Exception {
    for (Class<?> type :
        List.of(
            MemoryStoreBenchmark.class,
            MongoStoreBenchmark.class,
            SessionDataBenchmark.class,
            SaveGetBenchmark.class,
            MongoSaveGetBenchmark.class)) {
      for (Method m : benchmarks(type)) {
        assertTrue(
            Report.pairs(type.getSimpleName() + "." + m.getName()),
            m.getName() + " appears in no row of the report");
      }
    }
  }

  /**
   * @return how many benchmark methods ran
   */
  private static int runEach(Object benchmark) throws Exception {
    List<Object> states = new ArrayList<>();
    states.add(benchmark);
    invokeAll(benchmark, Setup.class);
    try {
      int ran = 0;
      for (Method m : benchmarks(benchmark.getClass())) {
        Object[] args = new Object[m.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
          Object state = m.getParameterTypes()[i].getDeclaredConstructor().newInstance();
          invokeAll(state, Setup.class);
          states.add(state);
          args[i] = state;
        }
        Object result = m.invoke(benchmark, args);
        if (m.getName().startsWith("store_") || m.getName().endsWith("_sameShape")) {
          // A same-shape reference whose filter matched nothing would measure a miss, not the
          // store's command.
          assertNotNull(result, m.getName() + " completed empty");
        }
        if (result instanceof com.mongodb.client.result.UpdateResult update) {
          assertEquals(1, update.getMatchedCount(), m.getName() + " matched no document");
        }
        ran++;
      }
      return ran;
    } finally {
      for (int i = states.size() - 1; i >= 0; i--) {
        invokeAll(states.get(i), TearDown.class);
      }
    }
  }

  private static List<Method> benchmarks(Class<?> type) {
    return Arrays.stream(type.getDeclaredMethods())
        .filter(m -> m.isAnnotationPresent(Benchmark.class))
        .sorted(Comparator.comparing(Method::getName))
        .toList();
  }

  private static void invokeAll(Object state, Class<? extends java.lang.annotation.Annotation> kind)
      throws Exception {
    for (Method m : state.getClass().getDeclaredMethods()) {
      if (m.isAnnotationPresent(kind) && Modifier.isPublic(m.getModifiers())) {
        m.invoke(state);
      }
    }
  }
}
