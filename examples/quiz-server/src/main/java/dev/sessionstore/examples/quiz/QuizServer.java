package dev.sessionstore.examples.quiz;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import java.io.PrintStream;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The quiz demo: a Spring Boot WebFlux server (Reactor Netty) with a JSON API and a web page,
 * keeping every login and quiz in a {@link dev.sessionstore.SessionStore} opened by URI. Run {@code
 * java -jar quiz-server.jar --help} for the options; {@code --simulate N} runs N concurrent
 * candidates against it and prints a report.
 *
 * <p>Thread-safe; {@link #close()} stops the server and closes the store it opened.
 */
public final class QuizServer implements AutoCloseable {

  private final ConfigurableApplicationContext context;
  private final String host;
  private final String storeUri;

  private QuizServer(ConfigurableApplicationContext context, String host, String storeUri) {
    this.context = context;
    this.host = host;
    this.storeUri = storeUri;
  }

  /**
   * Serves the quiz, or with {@code --simulate N} runs the simulation and exits with its verdict.
   *
   * @param args the command line; see {@code --help}
   */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != SERVING) {
      System.exit(status);
    }
  }

  /** What {@link #run} returns when it started a server, which keeps running (Netty's threads). */
  static final int SERVING = -1;

  /**
   * Runs the command line.
   *
   * @return the exit status: 0 fine, 1 a simulation invariant failed, 2 usage or start-up error, or
   *     {@link #SERVING}
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("quiz-server: " + e.getMessage());
      err.println("try --help");
      return 2;
    }
    if (options.help()) {
      out.println(Options.USAGE);
      return 0;
    }
    if (options.simulate() > 0) {
      SimulationReport report;
      try {
        report = Simulation.run(options, out);
      } catch (RuntimeException e) {
        err.println("quiz-server: simulation failed: " + describe(e, options));
        return 2;
      }
      out.println(report.format());
      return report.ok() ? 0 : 1;
    }
    QuizServer server;
    try {
      server = start(options);
    } catch (RuntimeException e) {
      err.println("quiz-server: cannot start: " + describe(e, options));
      return 2;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "quiz-shutdown"));
    out.println(server.banner(options));
    return SERVING;
  }

  /** Names the cause of a failed start the way a user can act on it. */
  static String describe(Throwable error, Options options) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof PortInUseException inUse) {
        return "port "
            + inUse.getPort()
            + " on "
            + options.host()
            + " is already in use"
            + " (choose another with --port, or 0 for any free one)";
      }
    }
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : root.toString();
    return root == error ? message : error.getMessage() + ": " + message;
  }

  /**
   * Opens the store named by the options and starts serving.
   *
   * @param options the options
   * @return the running server, owning its store
   */
  static QuizServer start(Options options) {
    return start(options, null);
  }

  /**
   * Opens the store named by the options with a given clock and starts serving.
   *
   * @param options the options
   * @param clock the clock of the store and the quiz, or null for the system clock and the store
   *     that {@code store-spring-boot-starter} opens from {@code sessionstore.uri}
   * @return the running server, owning its store
   */
  static QuizServer start(Options options, @Nullable InstantSource clock) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("server.address", options.host());
    properties.put("server.port", options.port());
    properties.put("server.shutdown", "immediate");
    properties.put("spring.main.banner-mode", "off");
    properties.put("spring.main.log-startup-info", "false");
    properties.put("spring.jmx.enabled", "false");
    properties.put("sessionstore.uri", options.store());
    // The quiz subscribes to the store's events itself; nothing listens to Spring Session's.
    properties.put("sessionstore.publish-events", "false");
    properties.put(
        "spring.autoconfigure.exclude",
        "org.springframework.boot.security.autoconfigure"
            + ".ReactiveUserDetailsServiceAutoConfiguration");
    // Logging starts before the initializers run, so its levels go in as defaults.
    Map<String, Object> logging = new LinkedHashMap<>();
    logging.put("logging.level.root", "WARN");
    // A port in use is reported by run() in one line; Boot's failure report would repeat it.
    logging.put("logging.level.org.springframework.boot.diagnostics", "OFF");
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(QuizApplication.class)
            .web(WebApplicationType.REACTIVE)
            .bannerMode(Banner.Mode.OFF)
            .logStartupInfo(false)
            .registerShutdownHook(false)
            .properties(logging)
            .initializers(
                ctx -> {
                  // The command line, not the environment, configures this server.
                  ctx.getEnvironment()
                      .getPropertySources()
                      .addFirst(new MapPropertySource("quiz-options", properties));
                  GenericApplicationContext beans = (GenericApplicationContext) ctx;
                  beans.registerBean(Options.class, () -> options);
                  if (clock == null) {
                    beans.registerBean(InstantSource.class, InstantSource::system);
                  } else {
                    beans.registerBean(InstantSource.class, () -> clock);
                    beans.registerBean(
                        SessionStore.class,
                        () ->
                            SessionStores.open(
                                StoreOptions.parse(options.store())
                                    .with(StoreOptions.CLOCK, clock)),
                        definition -> definition.setDestroyMethodName("close"));
                  }
                })
            .run();
    return new QuizServer(context, options.host(), redactedUri(options.store()));
  }

  /**
   * Returns a store URI fit for printing: passwords and secret parameters masked.
   *
   * @param uri the URI as given
   * @return the URI with its secrets shown as {@code ****}
   */
  static String redactedUri(String uri) {
    String shown = StoreOptions.parse(uri).toString();
    String prefix = "StoreOptions{uri=";
    return shown.startsWith(prefix) && shown.endsWith("}")
        ? shown.substring(prefix.length(), shown.length() - 1)
        : shown;
  }

  /**
   * @return the port the server listens on
   */
  int port() {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  /**
   * @return the server's base URL, without a trailing slash
   */
  String url() {
    String shown = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    return "http://" + (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + port();
  }

  QuizService service() {
    return context.getBean(QuizService.class);
  }

  SessionStore store() {
    return context.getBean(SessionStore.class);
  }

  private String banner(Options options) {
    return "Quiz server on "
        + url()
        + "/  (store "
        + storeUri
        + ", quizzes last "
        + options.quizDuration().toMillis() / 1000.0
        + " s; Ctrl-C stops it)";
  }

  /** Stops serving, stops the quiz's timers and closes the store. */
  @Override
  public void close() {
    context.close();
  }
}
