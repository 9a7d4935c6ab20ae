package dev.sessionstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Runs every benchmark method once, outside JMH, so that a benchmark that no longer works (a store
 * operation that completes empty because the ids are wrong, a reference that throws) fails the build
 * instead of producing a meaningless number. Measures nothing.
 */
class BenchmarksRunOnceTest {

  @Test
  void memoryStoreBenchmarksEachRunOnce() throws Exception {
    assertEquals(18, runEach(new MemoryStoreBenchmark()));
  }

  @Test
  void mongoStoreBenchmarksEachRunOnce() throws Exception {
    assertEquals(9, runEach(new MongoStoreBenchmark()));
  }

  @Test
  void reportPairsEveryBenchmarkWithItsReference() throws Exception {
    for (Class<?> type : List.of(MemoryStoreBenchmark.class, MongoStoreBenchmark.class)) {
      for (Method m : benchmarks(type)) {
        assertTrue(Report.pairs(type.getSimpleName() + "." + m.getName()),
            m.getName() + " appears in no row of the report");
      }
    }
  }

  /** @return how many benchmark methods ran */
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
        if (m.getName().startsWith("store_")) {
          assertNotNull(result, m.getName() + " completed empty");
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
