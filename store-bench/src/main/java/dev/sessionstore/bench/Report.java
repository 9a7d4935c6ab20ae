package dev.sessionstore.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the benchmark results as one Markdown table: each store operation next to its reference
 * from the same run, the ratio, and the target where the project set one; then the heap, round-trip
 * and backpressure results written by {@link MemoryHeapPerSession}, {@link MongoRoundTrips} and
 * {@link MongoScale}. Reads JMH's JSON result file with {@link Json}, so it needs no other tool.
 *
 * <p>Stateless; run as a program.
 */
public final class Report {

  private record Pair(
      String operation, String store, String reference, String referenceBench, double minRatio) {}

  private static final double NONE = Double.NaN;
  private static final String MEM = "MemoryStoreBenchmark.";
  private static final String MONGO = "MongoStoreBenchmark.";
  private static final String DATA = "SessionDataBenchmark.";
  private static final String PAIR = "SaveGetBenchmark.";
  private static final String MONGO_PAIR = "MongoSaveGetBenchmark.";

  private static final List<Pair> PAIRS =
      List.of(
          new Pair(
              "SessionData.of, ~1 KiB payload",
              DATA + "data_of",
              "plain recursive copy into LinkedHashMap/ArrayList (no checks)",
              DATA + "plain_copy",
              1 / 1.5),
          new Pair(
              "SessionData.of of data already normalised",
              DATA + "data_ofNormalised",
              "plain recursive copy into LinkedHashMap/ArrayList (no checks)",
              DATA + "plain_copy",
              NONE),
          new Pair(
              "memory save then get, ~1 KiB payload",
              PAIR + "store_saveThenGet",
              "Spring Session ReactiveMapSessionRepository: setAttribute, save, findById",
              PAIR + "spring_saveThenFindById",
              1.5),
          new Pair(
              "memory save then get, ~1 KiB payload normalised beforehand (the store's share)",
              PAIR + "store_saveThenGet_dataPrebuilt",
              "Spring Session ReactiveMapSessionRepository: setAttribute, save, findById",
              PAIR + "spring_saveThenFindById",
              NONE),
          new Pair(
              "memory get",
              MEM + "store_get",
              "Caffeine asMap().compute in Mono.fromCallable + block()",
              MEM + "caffeine_compute_mono",
              0.5),
          new Pair(
              "memory get",
              MEM + "store_get",
              "Caffeine getIfPresent",
              MEM + "caffeine_getIfPresent",
              NONE),
          new Pair(
              "memory get",
              MEM + "store_get",
              "Caffeine getIfPresent in Mono.fromCallable + block()",
              MEM + "caffeine_getIfPresent_mono",
              NONE),
          new Pair("memory get", MEM + "store_get", "ConcurrentHashMap get", MEM + "chm_get", NONE),
          new Pair(
              "memory get, touchThreshold=1m",
              MEM + "store_get_touchThreshold1m",
              "Caffeine getIfPresent",
              MEM + "caffeine_getIfPresent",
              NONE),
          new Pair("memory save", MEM + "store_save", "Caffeine put", MEM + "caffeine_put", NONE),
          new Pair(
              "memory save", MEM + "store_save", "ConcurrentHashMap put", MEM + "chm_put", NONE),
          new Pair(
              "memory update",
              MEM + "store_update",
              "Caffeine compute in Mono.fromCallable + block()",
              MEM + "caffeine_compute_mono",
              0.5),
          new Pair(
              "memory update",
              MEM + "store_update",
              "Caffeine with per-entry expiry and inline maintenance (the store's set-up before 0.2.0), compute in a Mono",
              MEM + "caffeineTimed_compute_mono",
              NONE),
          new Pair(
              "memory get",
              MEM + "store_get",
              "Caffeine with per-entry expiry and inline maintenance (the store's set-up before 0.2.0), compute in a Mono",
              MEM + "caffeineTimed_compute_mono",
              NONE),
          new Pair(
              "memory update",
              MEM + "store_update",
              "Caffeine asMap().compute",
              MEM + "caffeine_compute",
              NONE),
          new Pair(
              "memory update",
              MEM + "store_update",
              "ConcurrentHashMap compute",
              MEM + "chm_compute",
              NONE),
          new Pair(
              "memory update, 2 threads, 1 id",
              MEM + "store_update_contended",
              "Caffeine compute in Mono.fromCallable + block(), 2 threads, 1 key",
              MEM + "caffeine_compute_mono_contended",
              0.5),
          new Pair(
              "memory update, 2 threads, 1 id",
              MEM + "store_update_contended",
              "Caffeine with per-entry expiry and inline maintenance (the store's set-up before 0.2.0), compute in a Mono, 2 threads, 1 key",
              MEM + "caffeineTimed_compute_mono_contended",
              NONE),
          new Pair(
              "memory update, 2 threads, 1 id",
              MEM + "store_update_contended",
              "Caffeine compute, 2 threads, 1 key",
              MEM + "caffeine_compute_contended",
              NONE),
          new Pair(
              "memory update, 2 threads, 1 id",
              MEM + "store_update_contended",
              "ConcurrentHashMap compute, 2 threads, 1 key",
              MEM + "chm_compute_contended",
              NONE),
          new Pair(
              "memory create",
              MEM + "store_create",
              "Caffeine putIfAbsent (+ same id generator)",
              MEM + "caffeine_create",
              NONE),
          new Pair(
              "memory create",
              MEM + "store_create",
              "ConcurrentHashMap putIfAbsent (+ same id generator)",
              MEM + "chm_create",
              NONE),
          new Pair(
              "MongoDB save then get, ~1 KiB payload",
              MONGO_PAIR + "store_saveThenGet",
              "Spring Session ReactiveMongoSessionRepository (mongodb-spring-session): setAttribute, save, findById",
              MONGO_PAIR + "spring_saveThenFindById",
              1.0),
          new Pair(
              "MongoDB save then get, ~1 KiB payload",
              MONGO_PAIR + "store_saveThenGet",
              "driver: the store's 2 commands (findAndModify $set+$inc v, findAndModify $max a/ie)",
              MONGO_PAIR + "driver_saveThenGet_sameShape",
              NONE),
          new Pair(
              "MongoDB get",
              MONGO + "store_get",
              "driver: find {_id} (1 round trip)",
              MONGO + "driver_find_id",
              0.9),
          new Pair(
              "MongoDB get",
              MONGO + "store_get",
              "driver: the store's command (one findAndModify: $max a and ie, filter {_id, live, mi})",
              MONGO + "driver_get_sameShape",
              0.9),
          new Pair(
              "MongoDB get, touchThreshold=1m",
              MONGO + "store_get_touchThreshold1m",
              "driver: find {_id} (1 round trip)",
              MONGO + "driver_find_id",
              NONE),
          new Pair(
              "MongoDB save",
              MONGO + "store_save",
              "driver: replaceOne {_id} (1 round trip)",
              MONGO + "driver_replaceOne_id",
              0.9),
          new Pair(
              "MongoDB save",
              MONGO + "store_save",
              "driver: the store's command (one findAndModify: $set, $inc v, filter {_id, live, binding})",
              MONGO + "driver_save_sameShape",
              0.9),
          new Pair(
              "MongoDB update",
              MONGO + "store_update",
              "driver: find {_id} + replaceOne {_id}",
              MONGO + "driver_update_id",
              NONE),
          new Pair(
              "MongoDB update",
              MONGO + "store_update",
              "driver: the store's 2 commands (find {_id}, replaceOne {_id, v, live})",
              MONGO + "driver_update_sameShape",
              NONE));

  private Report() {}

  /**
   * Prints the report.
   *
   * @param args the JMH JSON result file, then the directory holding the {@code *.properties}
   *     written by the other measurement programs
   * @throws IOException if a file cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: Report <jmh-result.json> <results-dir>");
      System.exit(2);
    }
    Map<String, double[]> cpu = new HashMap<>();
    Map<String, double[]> scores = readJmh(Path.of(args[0]), cpu);
    Path dir = Path.of(args[1]);
    StringBuilder out = new StringBuilder();
    throughputTable(scores, cpu, out);
    heapTable(Results.read(dir.resolve("heap.properties")), out);
    timerAndWriters(Results.read(dir.resolve("w2.properties")), out);
    mongoTimerAndWriters(Results.read(dir.resolve("w2mongo.properties")), out);
    roundTrips(Results.read(dir.resolve("roundtrips.properties")), out);
    scale(Results.read(dir.resolve("scale.properties")), out);
    System.out.print(out);
  }

  /**
   * Reads JMH's results.
   *
   * @param cpu filled with benchmark to {median, half range} of {@link CpuTimeProfiler}'s ns/op,
   *     for the benchmarks that have it
   * @return benchmark "Class.method" to {score, error} in ops/s
   */
  private static Map<String, double[]> readJmh(Path file, Map<String, double[]> cpu)
      throws IOException {
    Map<String, double[]> scores = new HashMap<>();
    if (!Files.exists(file)) {
      return scores;
    }
    Object root = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    for (Object entry : (List<?>) root) {
      Map<?, ?> run = (Map<?, ?>) entry;
      String name = (String) run.get("benchmark");
      String[] parts = name.split("\\.");
      String key = parts[parts.length - 2] + "." + parts[parts.length - 1];
      Map<?, ?> metric = (Map<?, ?>) run.get("primaryMetric");
      String unit = (String) metric.get("scoreUnit");
      // The median of the measured iterations, and half their range: on a shared machine one
      // iteration can lose its CPU to a neighbour, which drags a mean but not a median.
      double[] median = median(metric);
      double score = Double.isNaN(median[0]) ? number(metric.get("score")) : median[0];
      double error = median[1];
      Object secondary = run.get("secondaryMetrics");
      if (secondary instanceof Map<?, ?> metrics
          && metrics.get(CpuTimeProfiler.METRIC) instanceof Map<?, ?> c) {
        cpu.put(key, median(c));
      }
      if ("ops/ms".equals(unit)) {
        score *= 1000;
        error *= 1000;
      } else if (!"ops/s".equals(unit)) {
        throw new IllegalArgumentException(
            name + " is in " + unit + "; run JMH in throughput mode");
      }
      scores.put(key, new double[] {score, error});
    }
    return scores;
  }

  /**
   * @return {median, half range} of a metric's raw iteration values (NaN if it has none)
   */
  private static double[] median(Map<?, ?> metric) {
    List<Double> iterations = new ArrayList<>();
    for (Object fork : (List<?>) metric.get("rawData")) {
      for (Object value : (List<?>) fork) {
        iterations.add(number(value));
      }
    }
    iterations.sort(null);
    int n = iterations.size();
    double median =
        n == 0
            ? Double.NaN
            : n % 2 == 1
                ? iterations.get(n / 2)
                : (iterations.get(n / 2 - 1) + iterations.get(n / 2)) / 2;
    double error = n < 2 ? Double.NaN : (iterations.get(n - 1) - iterations.get(0)) / 2;
    return new double[] {median, error};
  }

  /**
   * Tells whether a benchmark appears in the report's table.
   *
   * @param benchmark "Class.method"
   * @return whether some row shows it, as a store operation or as a reference
   */
  static boolean pairs(String benchmark) {
    return PAIRS.stream()
        .anyMatch(p -> p.store().equals(benchmark) || p.referenceBench().equals(benchmark));
  }

  private static double number(Object value) {
    return value instanceof Double d ? d : Double.NaN;
  }

  private static void throughputTable(
      Map<String, double[]> scores, Map<String, double[]> cpu, StringBuilder out) {
    out.append(
        "ops/s: median of the measured iterations (± half their range, in % of the median); "
            + "ratio = ops/s ÷ reference ops/s, both from the same run. CPU ns/op: process CPU time per "
            + "operation (CpuTimeProfiler, GC and JIT included), median of the iterations; CPU ratio = "
            + "reference CPU ns/op ÷ ours, which a busy neighbour disturbs less than wall-clock ops/s. "
            + "Targets are judged on the CPU ratio when it was measured, else on the ops/s ratio.\n\n");
    out.append(
        "| operation | ops/s | reference | reference ops/s | ratio | CPU ns/op (ours / ref) "
            + "| CPU ratio | target |\n");
    out.append("|---|---:|---|---:|---:|---:|---:|---|\n");
    for (Pair p : PAIRS) {
      double[] s = scores.get(p.store());
      double[] r = scores.get(p.referenceBench());
      if (s == null || r == null) {
        continue;
      }
      double ratio = s[0] / r[0];
      double[] sc = cpu.get(p.store());
      double[] rc = cpu.get(p.referenceBench());
      boolean hasCpu = sc != null && rc != null && !Double.isNaN(sc[0]) && !Double.isNaN(rc[0]);
      double cpuRatio = hasCpu ? rc[0] / sc[0] : Double.NaN;
      double judged = hasCpu ? cpuRatio : ratio;
      String target =
          Double.isNaN(p.minRatio())
              ? ""
              : String.format(
                  Locale.ROOT,
                  "≥ %s× %s",
                  factor(p.minRatio()),
                  judged >= p.minRatio() ? "**met**" : "**missed**");
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %.2f× | %s | %s | %s |%n",
              p.operation(),
              ops(s),
              p.reference(),
              ops(r),
              ratio,
              hasCpu ? String.format(Locale.ROOT, "%,.0f / %,.0f", sc[0], rc[0]) : "",
              hasCpu ? String.format(Locale.ROOT, "%.2f×", cpuRatio) : "",
              target));
    }
    List<String> unpaired = new ArrayList<>();
    for (String key : scores.keySet()) {
      if (!pairs(key)) {
        unpaired.add(key);
      }
    }
    if (!unpaired.isEmpty()) {
      out.append("\nOther benchmarks: ");
      unpaired.stream()
          .sorted()
          .forEach(k -> out.append(k).append(" = ").append(ops(scores.get(k))).append("; "));
      out.append('\n');
    }
  }

  /**
   * @return a target factor as written in the issues: 0.5, 1.5, 0.67
   */
  private static String factor(double value) {
    return String.format(Locale.ROOT, "%.2f", value).replaceAll("0$", "").replaceAll("\\.0$", "");
  }

  private static String ops(double[] score) {
    String error =
        Double.isNaN(score[1])
            ? ""
            : String.format(Locale.ROOT, " (±%.0f%%)", 100 * score[1] / score[0]);
    return String.format(Locale.ROOT, "%,.0f%s", score[0], error);
  }

  private static void heapTable(Map<String, String> heap, StringBuilder out) {
    if (heap.isEmpty()) {
      return;
    }
    out.append("\n| sessions | payload (SessionData) | Session + id in an array | raw Caffeine | ")
        .append("memory store, beyond payload | target |\n");
    out.append("|---:|---:|---:|---:|---:|---|\n");
    for (String key : heap.keySet()) {
      if (!key.endsWith(".store")) {
        continue;
      }
      String n = key.substring("heap.".length(), key.length() - ".store".length());
      double store = Double.parseDouble(heap.get(key));
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %s B | %s B | %s B | %s B/session | < 300 B %s |%n",
              Long.parseLong(n),
              heap.get("heap." + n + ".payload"),
              heap.get("heap." + n + ".value"),
              heap.get("heap." + n + ".caffeine"),
              heap.get(key),
              store < 300 ? "**met**" : "**missed**"));
    }
  }

  private static void timerAndWriters(Map<String, String> w2, StringBuilder out) {
    w2Table(
        w2,
        "w2.",
        "W2",
        "memory store (update)",
        "Spring ReactiveMapSessionRepository (findById, save)",
        out);
  }

  private static void mongoTimerAndWriters(Map<String, String> w2, StringBuilder out) {
    w2Table(
        w2,
        "w2mongo.",
        "W2 on MongoDB (embedded server)",
        "MongoDB store (update)",
        "Spring ReactiveMongoSessionRepository (findById, save)",
        out);
  }

  /** One W2 table from the keys {@link TimerAndWriters#compare} wrote under {@code prefix}. */
  private static void w2Table(
      Map<String, String> w2,
      String prefix,
      String title,
      String storeLabel,
      String springLabel,
      StringBuilder out) {
    if (w2.isEmpty()) {
      return;
    }
    out.append("\n| ")
        .append(title)
        .append(": 1 timer (1 ms) + ")
        .append(w2.get(prefix + "writers"))
        .append(" writers (")
        .append(w2.get(prefix + "answers"))
        .append(" answers) on one session | updates | lost | updates/s | target |\n");
    out.append("|---|---:|---:|---:|---|\n");
    for (String side : List.of("store", "spring")) {
      String k = prefix + side + ".";
      long lost = Long.parseLong(w2.get(k + "lost"));
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %,.0f | %s |%n",
              side.equals("store") ? storeLabel : springLabel,
              Long.parseLong(w2.get(k + "updates")),
              lost,
              Double.parseDouble(w2.get(k + "perSecond")),
              side.equals("store") ? (lost == 0 ? "0 lost **met**" : "0 lost **missed**") : ""));
    }
  }

  /** Issue 13's round trips per uncontended operation: at most this many. */
  private static final Map<String, Integer> ROUND_TRIP_TARGETS =
      Map.of(
          "get",
          1,
          "touch",
          1,
          "save",
          1,
          "saveIfUnchanged",
          1,
          "create",
          1,
          "destroy",
          1,
          "update",
          2,
          "regenerate",
          2);

  private static void roundTrips(Map<String, String> trips, StringBuilder out) {
    if (trips.isEmpty()) {
      return;
    }
    out.append("\n| MongoDB store operation (uncontended) | round trips | commands | target |\n");
    out.append("|---|---:|---|---|\n");
    for (String key : trips.keySet()) {
      if (!key.endsWith(".count")) {
        continue;
      }
      String op = key.substring(0, key.length() - ".count".length());
      int count = Integer.parseInt(trips.get(key));
      Integer max = ROUND_TRIP_TARGETS.get(op);
      String target =
          max == null
              ? ""
              : (max == 1 ? "1" : "≤ " + max) + (count <= max ? " **met**" : " **missed**");
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s |%n",
              op,
              count,
              trips.get(op + ".commands").replace("|", "\\|"),
              target));
    }
  }

  private static void scale(Map<String, String> scale, StringBuilder out) {
    if (scale.isEmpty()) {
      return;
    }
    out.append("\n| MongoDB, ")
        .append(scale.getOrDefault("sessions", "?"))
        .append(" sessions | result | time | peak retained heap growth |\n");
    out.append("|---|---:|---:|---:|\n");
    for (String key : scale.keySet()) {
      if (!key.endsWith(".label")) {
        continue;
      }
      String k = key.substring(0, key.length() - ".label".length());
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s ms | %s |%n",
              scale.get(key),
              scale.get(k + ".result"),
              scale.get(k + ".millis"),
              scale.get(k + ".peak")));
    }
  }
}
