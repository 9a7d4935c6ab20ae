package dev.sessionstore.bench;

import dev.sessionstore.SessionData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link SessionData#of} of the ~1 KiB payload ({@link Payloads#kib}) next to the least any copy of
 * that tree costs: a plain recursive copy into {@link LinkedHashMap}/{@link ArrayList} that checks
 * nothing and converts nothing. {@code SessionData.of} also validates every value and key (types,
 * depth, well-formed strings), normalises numbers and instants, and sums the encoded size.
 *
 * <p>{@code data_*} methods are ours, {@code plain_*} the reference; {@link Report} pairs them. The
 * class is instantiated and driven by JMH only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class SessionDataBenchmark {

  Map<String, Object> payload;
  SessionData data;

  /** Builds the payload once; every call copies the same tree. */
  @Setup
  public void setUp() {
    payload = Payloads.kib(42);
    data = SessionData.of(payload);
  }

  /**
   * @return the payload validated and normalised
   */
  @Benchmark
  public SessionData data_of() {
    return SessionData.of(payload);
  }

  /**
   * @return data already normalised, passed again: taken without a copy
   */
  @Benchmark
  public SessionData data_ofNormalised() {
    return SessionData.of(data.asMap());
  }

  /**
   * @return the payload copied into LinkedHashMap/ArrayList, nothing checked
   */
  @Benchmark
  public Map<String, Object> plain_copy() {
    return copyMap(payload);
  }

  static Map<String, Object> copyMap(Map<?, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>((int) (map.size() / 0.75f) + 1);
    for (Map.Entry<?, ?> e : map.entrySet()) {
      copy.put((String) e.getKey(), copy(e.getValue()));
    }
    return copy;
  }

  private static Object copy(Object value) {
    if (value instanceof Map) {
      return copyMap((Map<?, ?>) value);
    }
    if (value instanceof List) {
      List<?> list = (List<?>) value;
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(copy(element));
      }
      return copy;
    }
    return value;
  }
}
