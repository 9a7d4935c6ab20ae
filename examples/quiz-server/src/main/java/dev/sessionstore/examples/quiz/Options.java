package dev.sessionstore.examples.quiz;

import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@code quiz-server.jar}, parsed with picocli: an unknown option, a missing
 * value or a value out of range is an error naming the option. Immutable.
 *
 * @param store the store URI
 * @param host the address to listen on
 * @param port the port, 0 for any free one
 * @param quizDuration how long a quiz lasts
 * @param questions questions per quiz
 * @param tickInterval how often the server ticks each running quiz
 * @param cleanupInterval how often the server runs the store's cleanup
 * @param simulate candidates to simulate, 0 to serve instead
 * @param url the server a simulation targets, or {@code null} to start one in-process
 * @param help whether to print the usage and exit
 * @param secureCookies whether cookies always carry {@code Secure} (else only over TLS)
 * @param maxConnections the most connections served at once; more are closed at once
 * @param readTimeout the longest pause allowed while a request arrives
 * @param idleTimeout how long an idle connection (or an incomplete request head) stays open
 * @param resultsRetention how long a user's results are kept without use
 */
record Options(
    String store,
    String host,
    int port,
    Duration quizDuration,
    int questions,
    Duration tickInterval,
    Duration cleanupInterval,
    int simulate,
    String url,
    boolean help,
    boolean secureCookies,
    int maxConnections,
    Duration readTimeout,
    Duration idleTimeout,
    Duration resultsRetention) {

  /** The usage text, as {@code --help} prints it. */
  static final String USAGE = new CommandLine(new Spec()).getUsageMessage();

  /**
   * Parses the command line.
   *
   * @param args the arguments
   * @return the options
   * @throws IllegalArgumentException naming the problem
   */
  static Options parse(String... args) {
    Spec spec = new Spec();
    try {
      new CommandLine(spec).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    check("--port", spec.port, 0, 65535);
    if (spec.quizSeconds != null && !(spec.quizSeconds >= 0.2 && spec.quizSeconds <= 86_400)) {
      throw new IllegalArgumentException(
          "--quiz-seconds must be between 0.2 and 86400: " + spec.quizSeconds);
    }
    check("--questions", spec.questions, 1, 50);
    check("--tick-ms", spec.tickMillis, 10, 60_000);
    check("--cleanup-ms", spec.cleanupMillis, 100, 600_000);
    check("--simulate", spec.simulate, 0, 100_000);
    check("--max-connections", spec.maxConnections, 1, 1_000_000);
    check("--read-timeout-ms", spec.readTimeoutMillis, 100, 600_000);
    check("--idle-timeout-ms", spec.idleTimeoutMillis, 100, 3_600_000);
    check("--results-hours", spec.resultsHours, 1, 24 * 366);
    String url = spec.url;
    if (url != null) {
      if (spec.simulate == 0) {
        throw new IllegalArgumentException("--url only goes with --simulate");
      }
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException("--url must start with http:// or https://: " + url);
      }
      url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
    double seconds = spec.quizSeconds != null ? spec.quizSeconds : spec.simulate > 0 ? 5 : 60;
    return new Options(
        spec.store,
        spec.host,
        spec.port,
        Duration.ofMillis(Math.round(seconds * 1000)),
        spec.questions,
        Duration.ofMillis(spec.tickMillis),
        Duration.ofMillis(spec.cleanupMillis),
        spec.simulate,
        url,
        spec.help,
        spec.secureCookies,
        spec.maxConnections,
        Duration.ofMillis(spec.readTimeoutMillis),
        Duration.ofMillis(spec.idleTimeoutMillis),
        Duration.ofHours(spec.resultsHours));
  }

  /**
   * Returns these options for a server started in-process by a simulation: a free port on the
   * loopback address, serving instead of simulating.
   *
   * @return the options of that server
   */
  Options forInProcessServer() {
    return new Options(
        store,
        "127.0.0.1",
        0,
        quizDuration,
        questions,
        tickInterval,
        cleanupInterval,
        0,
        null,
        false,
        secureCookies,
        maxConnections,
        readTimeout,
        idleTimeout,
        resultsRetention);
  }

  private static void check(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ": " + value);
    }
  }

  /** What picocli fills in; defaults here are the documented ones. */
  @Command(
      name = "java -jar quiz-server.jar",
      sortOptions = false,
      description = "The sessionstore quiz demo: serves the quiz, or simulates candidates.")
  static final class Spec {
    @Option(
        names = "--store",
        paramLabel = "<uri>",
        description = "session store (default memory:); e.g. mongodb://localhost/quiz")
    String store = "memory:";

    @Option(
        names = "--port",
        paramLabel = "<n>",
        description = "port to serve on (default 8080; 0 picks a free one)")
    int port = 8080;

    @Option(
        names = "--host",
        paramLabel = "<address>",
        description = "address to listen on (default 127.0.0.1)")
    String host = "127.0.0.1";

    @Option(
        names = "--quiz-seconds",
        paramLabel = "<s>",
        description = "quiz duration (default 60, or 5 with --simulate)")
    Double quizSeconds;

    @Option(
        names = "--questions",
        paramLabel = "<n>",
        description = "questions per quiz (default 6)")
    int questions = 6;

    @Option(
        names = "--tick-ms",
        paramLabel = "<ms>",
        description = "how often the server ticks each running quiz (default 250)")
    long tickMillis = 250;

    @Option(
        names = "--cleanup-ms",
        paramLabel = "<ms>",
        description = "how often the server calls the store's cleanup (default 1000)")
    long cleanupMillis = 1000;

    @Option(
        names = "--simulate",
        paramLabel = "<n>",
        description = "run n concurrent candidates, print a report, exit 1 if an invariant fails")
    int simulate;

    @Option(
        names = "--url",
        paramLabel = "<url>",
        description = "with --simulate: target a running server instead of an in-process one")
    String url;

    @Option(
        names = "--secure-cookies",
        description =
            "always mark cookies Secure (use behind an HTTPS proxy; over TLS they always are)")
    boolean secureCookies;

    @Option(
        names = "--max-connections",
        paramLabel = "<n>",
        description = "connections served at once; more are closed (default 1000)")
    int maxConnections = 1000;

    @Option(
        names = "--read-timeout-ms",
        paramLabel = "<ms>",
        description = "longest pause while a request body arrives (default 10000)")
    long readTimeoutMillis = 10_000;

    @Option(
        names = "--idle-timeout-ms",
        paramLabel = "<ms>",
        description =
            "how long an idle connection or an incomplete request head stays open (default 30000)")
    long idleTimeoutMillis = 30_000;

    @Option(
        names = "--results-hours",
        paramLabel = "<h>",
        description = "how long a user's results are kept without use (default 24)")
    long resultsHours = 24;

    @Option(
        names = {"--help", "-h"},
        usageHelp = true,
        description = "print this")
    boolean help;
  }
}
