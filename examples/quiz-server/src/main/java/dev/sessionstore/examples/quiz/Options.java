package dev.sessionstore.examples.quiz;

import java.time.Duration;

/**
 * The command line of {@code quiz-server.jar}. Immutable.
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
 */
record Options(String store, String host, int port, Duration quizDuration, int questions,
    Duration tickInterval, Duration cleanupInterval, int simulate, String url, boolean help) {

  static final String USAGE = String.join("\n",
      "usage: java -jar quiz-server.jar [options]",
      "",
      "  --store <uri>         session store (default memory:); e.g. mongodb://localhost/quiz",
      "  --port <n>            port to serve on (default 8080; 0 picks a free one)",
      "  --host <address>      address to listen on (default 127.0.0.1)",
      "  --quiz-seconds <s>    quiz duration (default 60, or 5 with --simulate)",
      "  --questions <n>       questions per quiz (default 6)",
      "  --tick-ms <ms>        how often the server ticks each running quiz (default 250)",
      "  --cleanup-ms <ms>     how often the server calls the store's cleanup (default 1000)",
      "  --simulate <n>        run n concurrent candidates, print a report, exit 1 if an invariant fails",
      "  --url <url>           with --simulate: target a running server instead of an in-process one",
      "  --help                print this");

  /**
   * Parses the command line.
   *
   * @param args the arguments
   * @return the options
   * @throws IllegalArgumentException naming the problem
   */
  static Options parse(String... args) {
    String store = "memory:";
    String host = "127.0.0.1";
    int port = 8080;
    Double quizSeconds = null;
    int questions = 6;
    long tickMillis = 250;
    long cleanupMillis = 1000;
    int simulate = 0;
    String url = null;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (name.equals("--help") || name.equals("-h")) {
        help = true;
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + name + " needs a value");
        }
        value = args[++i];
      }
      switch (name) {
        case "--store" -> store = value;
        case "--host" -> host = value;
        case "--port" -> port = (int) number(name, value, 0, 65535);
        case "--quiz-seconds" -> {
          try {
            quizSeconds = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--quiz-seconds expects a number, got '" + value + "'");
          }
          if (!(quizSeconds >= 0.2 && quizSeconds <= 86_400)) {
            throw new IllegalArgumentException("--quiz-seconds must be between 0.2 and 86400: " + value);
          }
        }
        case "--questions" -> questions = (int) number(name, value, 1, 50);
        case "--tick-ms" -> tickMillis = number(name, value, 10, 60_000);
        case "--cleanup-ms" -> cleanupMillis = number(name, value, 100, 600_000);
        case "--simulate" -> simulate = (int) number(name, value, 1, 100_000);
        case "--url" -> url = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        default -> throw new IllegalArgumentException("unknown option " + name + "\n\n" + USAGE);
      }
    }
    if (url != null && simulate == 0) {
      throw new IllegalArgumentException("--url only goes with --simulate");
    }
    double seconds = quizSeconds != null ? quizSeconds : simulate > 0 ? 5 : 60;
    return new Options(store, host, port, Duration.ofMillis(Math.round(seconds * 1000)), questions,
        Duration.ofMillis(tickMillis), Duration.ofMillis(cleanupMillis), simulate, url, help);
  }

  private static long number(String name, String value, long min, long max) {
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " expects a whole number, got '" + value + "'");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": " + n);
    }
    return n;
  }
}
