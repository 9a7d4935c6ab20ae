package dev.sessionstore.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler reporting the CPU time the benchmark JVM spent per operation ({@code cpu.ns/op}):
 * the process CPU time over an iteration (benchmark threads, GC and JIT included) divided by the
 * operations done in it. On a machine shared with other work, wall-clock throughput drops whenever
 * a neighbour takes the CPU; the CPU time an operation costs does not, so ratios of it hold better.
 * Use with {@code -prof dev.sessionstore.bench.CpuTimeProfiler}; {@link Report} reads it.
 *
 * <p>Created by JMH in the forked benchmark JVM; not thread-safe (JMH calls it from one thread).
 */
public final class CpuTimeProfiler implements InternalProfiler {

  /** The secondary metric's name in JMH's results. */
  public static final String METRIC = "cpu.ns/op";

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long before;

  /** Creates the profiler (JMH calls this). */
  public CpuTimeProfiler() {}

  @Override
  public String getDescription() {
    return "process CPU time per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    before = os.getProcessCpuTime();
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH's own signature
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = os.getProcessCpuTime() - before;
    long ops = result.getMetadata().getAllOps();
    double perOp = ops == 0 ? Double.NaN : (double) cpu / ops;
    return List.of(new ScalarResult(METRIC, perOp, "ns/op", AggregationPolicy.AVG));
  }
}
