package dev.sessionstore.tck;

import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import java.io.File;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.platform.engine.Filter;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the whole kit against a store named by URI and prints one line per rule: {@code PASS},
 * {@code FAIL} with the reason, or {@code SKIPPED} with the reason, then a summary. The exit status
 * is 0 when no rule fails, 1 when a rule fails, and 2 for a usage error or a URI no installed
 * provider serves.
 *
 * <p>The runner jar bundles the kit and everything it needs; the store's own jar (and its
 * dependencies) come on top. Two ways to start it:
 *
 * <pre>
 * # the store's jars on the class path, naming the main class:
 * java -XX:+AllowRedefinitionToAddDeleteMethods \
 *      -cp store-tck-0.2.0-SNAPSHOT-runner.jar:my-store.jar dev.sessionstore.tck.TckRunner mystore://host/test
 *
 * # with -jar, which ignores -cp: the runner loads the store's jars itself
 * java -XX:+AllowRedefinitionToAddDeleteMethods \
 *      -jar store-tck-0.2.0-SNAPSHOT-runner.jar --classpath my-store.jar:its-dependency.jar mystore://host/test
 * </pre>
 *
 * <p>Options: {@code --classpath <paths>} (jars or directories, separated by the platform's path
 * separator) adds the store's classes; {@code --rules R2.4,R3.2} runs only those rules; {@code
 * --scale N} multiplies the counts of the stress tests; {@code --verbose} prints one line per test
 * as it runs, and under each failed rule every one of its failed tests with the reason. A store
 * that cannot be opened at all is reported once, as a usage error with exit status 2. The runner
 * checks every rule in the common configurations of {@link KitConfiguration#common()}. The JVM flag
 * {@code -XX:+AllowRedefinitionToAddDeleteMethods} lets BlockHound check R2.7; without it R2.7 is
 * skipped with that reason.
 *
 * <p>Every store is opened with {@code SessionStores.open(kitOptions.withUri(uri))}: the URI's
 * parameters configure the store, and the kit's options (its {@link TestClock} among them) are set
 * in code. Each store is emptied after opening with {@code clear()} and {@code cleanup()}, so that
 * a store whose data outlives the store object (such as an external MongoDB database) starts every
 * test empty: use a scratch database. The runner has no {@link BackendControl}, so R8.1 and R8.2
 * are reported as skipped; implement {@link SessionStoreTck} in a test class to check them.
 *
 * <p>Not thread-safe: run one kit at a time per JVM.
 */
public final class TckRunner {

  private static final String USAGE =
      String.join(
          System.lineSeparator(),
          "usage: java -jar store-tck-runner.jar [--classpath <jars>] [--rules R1.1,R2.4] [--scale N] [--verbose] <store-uri>",
          "   or: java -cp store-tck-runner.jar"
              + File.pathSeparator
              + "<jars> dev.sessionstore.tck.TckRunner [options] <store-uri>",
          "Runs the session-store compatibility kit against the store the URI names and prints one line per rule.",
          "Every store is emptied after opening (clear and cleanup): point the runner at a scratch database.");

  private TckRunner() {}

  /**
   * Runs the kit and exits the JVM with the status {@link #run(String[], PrintStream, PrintStream)}
   * returns.
   *
   * @param args the command line; see the class description
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the kit without exiting the JVM.
   *
   * @param args the command line; see the class description
   * @param out where the rule lines and the summary go
   * @param err where usage errors go
   * @return 0 if no rule failed, 1 if a rule failed, 2 for a usage error or an unknown scheme
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (arguments.help) {
      out.println(USAGE);
      return 0;
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    URLClassLoader extra = null;
    try {
      if (!arguments.classpath.isEmpty()) {
        extra =
            new URLClassLoader(
                arguments.classpath.toArray(new URL[0]), TckRunner.class.getClassLoader());
        thread.setContextClassLoader(extra);
      }
      StoreOptions options;
      try {
        options = StoreOptions.parse(arguments.uri);
        SessionStores.provider(options.scheme());
      } catch (IllegalArgumentException | IllegalStateException e) {
        err.println("error: " + e.getMessage());
        return 2;
      }
      // A store that cannot be opened is one usage error, not one failure per rule.
      try {
        SessionStores.open(options.with(StoreOptions.CLOCK, new TestClock(java.time.Instant.now())))
            .close();
      } catch (RuntimeException e) {
        err.println("error: the store " + options + " cannot be opened: " + KitReport.reason(e));
        return 2;
      }
      out.println("sessionstore TCK against " + options);
      RunnerKit.configure(arguments.uri, arguments.scale);
      KitReport report = runKit(RunnerKit.class, arguments.rules, arguments.verbose ? out : null);
      return print(report, arguments.rules, arguments.verbose, out);
    } finally {
      thread.setContextClassLoader(previous);
      if (extra != null) {
        try {
          extra.close();
        } catch (java.io.IOException e) {
          err.println("warning: could not close the class loader of --classpath: " + e);
        }
      }
    }
  }

  private static int print(KitReport report, Set<String> rules, boolean verbose, PrintStream out) {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    for (KitReport.RuleResult rule : report.rules(rules)) {
      out.printf(Locale.ROOT, "%-8s %-5s %s%n", rule.status(), rule.rule(), rule.reason());
      if (verbose && rule.status() == KitReport.Status.FAIL) {
        for (KitReport.TestResult test : report.tests()) {
          if (test.status() == KitReport.Status.FAIL
              && rule.rule().equals(KitReport.ruleOf(test.displayName()))) {
            out.printf(
                Locale.ROOT,
                "               failed: %s -- %s%n",
                test.displayName(),
                test.reason());
          }
        }
      }
      switch (rule.status()) {
        case PASS -> passed++;
        case FAIL -> failed++;
        default -> skipped++;
      }
    }
    for (String error : report.kitErrors()) {
      out.println("ERROR    kit   " + error);
    }
    out.printf(
        Locale.ROOT,
        "%d rules: %d passed, %d failed, %d skipped (%d tests in %.1f s)%n",
        passed + failed + skipped,
        passed,
        failed,
        skipped,
        report.tests().size(),
        report.nanos() / 1e9);
    return failed > 0 || !report.kitErrors().isEmpty() ? 1 : 0;
  }

  /**
   * Runs the kit's tests of one class implementing {@link SessionStoreTck} on the JUnit Platform.
   *
   * @param kitClass the class
   * @param rules the rule ids to run; all if empty
   * @param verbose where to print one line per test, or null
   * @return what happened
   */
  static KitReport runKit(Class<?> kitClass, Set<String> rules, @Nullable PrintStream verbose) {
    PostDiscoveryFilter byRule =
        descriptor -> {
          // Kit tests are templates (one run per configuration): filter on the method, test or
          // template.
          boolean method =
              descriptor.getSource().filter(MethodSource.class::isInstance).isPresent();
          if (!method || rules.isEmpty()) {
            return FilterResult.included("all rules");
          }
          String rule = KitReport.ruleOf(descriptor.getDisplayName());
          return rule != null && rules.contains(rule)
              ? FilterResult.included(rule)
              : FilterResult.excluded("rule not selected");
        };
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(DiscoverySelectors.selectClass(kitClass))
            .filters(new Filter<?>[] {EngineFilter.includeEngines("junit-jupiter"), byRule})
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
            .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
            .build();
    Collector collector = new Collector(verbose);
    Launcher launcher =
        LauncherFactory.create(
            LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .build());
    long start = System.nanoTime();
    launcher.execute(request, collector);
    return new KitReport(collector.tests, collector.errors, System.nanoTime() - start);
  }

  /** Collects test results from the launcher. */
  private static final class Collector implements TestExecutionListener {
    private final @Nullable PrintStream verbose;
    final List<KitReport.TestResult> tests = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    private long startedAt = System.nanoTime();

    Collector(@Nullable PrintStream verbose) {
      this.verbose = verbose;
    }

    @Override
    public void executionStarted(TestIdentifier test) {
      if (test.isTest()) {
        startedAt = System.nanoTime();
      }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
      if (test.isTest()) {
        add(new KitReport.TestResult(test.getDisplayName(), KitReport.Status.SKIPPED, reason));
      }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
      Throwable error = result.getThrowable().orElse(null);
      if (!test.isTest()) {
        if (result.getStatus() == TestExecutionResult.Status.FAILED) {
          errors.add(test.getDisplayName() + ": " + KitReport.reason(error));
        }
        return;
      }
      KitReport.Status status =
          switch (result.getStatus()) {
            case SUCCESSFUL -> KitReport.Status.PASS;
            case ABORTED -> KitReport.Status.SKIPPED;
            case FAILED -> KitReport.Status.FAIL;
          };
      add(new KitReport.TestResult(test.getDisplayName(), status, KitReport.reason(error)));
    }

    private void add(KitReport.TestResult result) {
      tests.add(result);
      if (verbose != null) {
        verbose.printf(
            Locale.ROOT,
            "  %-8s %s (%d ms)%s%n",
            result.status(),
            result.displayName(),
            (System.nanoTime() - startedAt) / 1_000_000,
            result.reason().isEmpty() ? "" : " -- " + result.reason());
      }
    }
  }

  /** The parsed command line. */
  private static final class Arguments {
    String uri = "";
    final List<URL> classpath = new ArrayList<>();
    final Set<String> rules = new LinkedHashSet<>();
    int scale = 1;
    boolean verbose;
    boolean help;

    static Arguments parse(String[] args) {
      Arguments a = new Arguments();
      List<String> positional = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--classpath", "--class-path" -> a.addClasspath(value(args, ++i, arg));
          case "--rules" -> a.addRules(value(args, ++i, arg));
          case "--scale" -> a.scale = scale(value(args, ++i, arg));
          case "--verbose", "-v" -> a.verbose = true;
          case "--help", "-h" -> a.help = true;
          default -> {
            if (arg.startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + arg);
            }
            positional.add(arg);
          }
        }
      }
      if (a.help) {
        return a;
      }
      if (positional.size() != 1) {
        throw new IllegalArgumentException(
            positional.isEmpty()
                ? "no store URI given"
                : "expected one store URI, got " + positional.size());
      }
      a.uri = positional.get(0);
      return a;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static int scale(String text) {
      try {
        int scale = Integer.parseInt(text);
        if (scale < 1) {
          throw new IllegalArgumentException("--scale must be at least 1, was " + text);
        }
        return scale;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--scale needs a whole number, was " + text);
      }
    }

    private void addClasspath(String paths) {
      for (String path : paths.split(File.pathSeparator)) {
        if (path.isBlank()) {
          continue;
        }
        File file = new File(path);
        if (!file.exists()) {
          throw new IllegalArgumentException("--classpath entry " + path + " does not exist");
        }
        try {
          classpath.add(file.toURI().toURL());
        } catch (MalformedURLException e) {
          throw new IllegalArgumentException(
              "--classpath entry " + path + " is not a valid path", e);
        }
      }
    }

    private void addRules(String list) {
      for (String rule : list.split(",")) {
        String id = rule.strip().toUpperCase(Locale.ROOT);
        if (!KitReport.RULES.contains(id)) {
          throw new IllegalArgumentException(
              "unknown rule " + rule.strip() + "; rules are " + KitReport.RULES);
        }
        rules.add(id);
      }
    }
  }
}
