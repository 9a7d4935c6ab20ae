package dev.sessionstore.examples.quiz;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The quiz demo: an HTTP server (the JDK's own) with a JSON API and a web page, keeping every login
 * and quiz in a {@link SessionStore} opened by URI. Run {@code java -jar quiz-server.jar --help} for
 * the options; {@code --simulate N} runs N concurrent candidates against it and prints a report.
 *
 * <p>Thread-safe; {@link #close()} stops the server and closes the store it opened.
 */
public final class QuizServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(QuizServer.class.getName());
  private static final int MAX_BODY_BYTES = 16 * 1024;
  private static final String COOKIE = "sid";
  private static final Map<String, String> STATIC_FILES = Map.of(
      "/", "index.html",
      "/index.html", "index.html",
      "/app.js", "app.js",
      "/style.css", "style.css");

  private final HttpServer http;
  private final ExecutorService workers;
  private final QuizService service;
  private final SessionStore store;
  private final boolean ownsStore;
  private final String storeUri;

  private QuizServer(HttpServer http, ExecutorService workers, QuizService service,
      SessionStore store, boolean ownsStore, String storeUri) {
    this.http = http;
    this.workers = workers;
    this.service = service;
    this.store = store;
    this.ownsStore = ownsStore;
    this.storeUri = storeUri;
  }

  /**
   * Serves the quiz, or with {@code --simulate N} runs the simulation and exits with its verdict.
   *
   * @param args the command line; see {@code --help}
   */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("quiz-server: " + e.getMessage());
      System.err.println("try --help");
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(Options.USAGE);
      return;
    }
    if (options.simulate() > 0) {
      SimulationReport report;
      try {
        report = Simulation.run(options, System.out);
      } catch (IOException | RuntimeException e) {
        System.err.println("quiz-server: simulation failed: " + e);
        System.exit(2);
        return;
      }
      System.out.println(report.format());
      System.exit(report.ok() ? 0 : 1);
      return;
    }
    QuizServer server;
    try {
      server = start(options);
    } catch (IOException | RuntimeException e) {
      System.err.println("quiz-server: cannot start: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "quiz-shutdown"));
    System.out.println(server.banner(options));
  }

  /**
   * Opens the store named by the options and starts serving.
   *
   * @param options the options
   * @return the running server, owning its store
   * @throws IOException if the port cannot be bound
   */
  static QuizServer start(Options options) throws IOException {
    return start(options, InstantSource.system());
  }

  /**
   * Opens the store named by the options with a given clock and starts serving.
   *
   * @param options the options
   * @param clock the clock of the store and the quiz
   * @return the running server, owning its store
   * @throws IOException if the port cannot be bound
   */
  static QuizServer start(Options options, InstantSource clock) throws IOException {
    SessionStore store = SessionStores.open(
        StoreOptions.parse(options.store()).with(StoreOptions.CLOCK, clock));
    try {
      return start(options, store, clock, true);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  static QuizServer start(Options options, SessionStore store, InstantSource clock,
      boolean ownsStore) throws IOException {
    QuizService service = new QuizService(store, clock, options.quizDuration(), options.questions(),
        options.tickInterval(), options.cleanupInterval());
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 1024);
    } catch (IOException | RuntimeException e) {
      service.close();
      throw e;
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(48, runnable -> {
      Thread thread = new Thread(runnable, "quiz-http-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    QuizServer server = new QuizServer(http, workers, service, store, ownsStore,
        redactedUri(options.store()));
    http.createContext("/api/", server::handleApi);
    http.createContext("/", server::handleStatic);
    http.setExecutor(workers);
    http.start();
    return server;
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
        ? shown.substring(prefix.length(), shown.length() - 1) : shown;
  }

  /** @return the port the server listens on */
  int port() {
    return http.getAddress().getPort();
  }

  /** @return the server's base URL, without a trailing slash */
  String url() {
    String host = http.getAddress().getAddress().isAnyLocalAddress()
        ? "127.0.0.1" : http.getAddress().getHostString();
    return "http://" + host + ":" + port();
  }

  QuizService service() {
    return service;
  }

  private String banner(Options options) {
    return "Quiz server on " + url() + "/  (store " + storeUri + ", quizzes last "
        + options.quizDuration().toMillis() / 1000.0 + " s; Ctrl-C stops it)";
  }

  /** Stops serving, stops the quiz's timers and closes the store if this server opened it. */
  @Override
  public void close() {
    http.stop(0);
    workers.shutdownNow();
    service.close();
    if (ownsStore) {
      store.close();
    }
  }

  // ---------------------------------------------------------------- HTTP

  private void handleApi(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      String sid = cookie(exchange);
      try {
        if (path.startsWith("/api/results/")) {
          requireMethod(method, "GET");
          String user = URLDecoder.decode(path.substring("/api/results/".length()),
              StandardCharsets.UTF_8);
          respond(exchange, 200, service.results(user));
          return;
        }
        switch (path) {
          case "/api/login" -> {
            requireMethod(method, "POST");
            Object user = body(exchange).get("user");
            QuizService.Login login =
                service.login(user instanceof String ? (String) user : null, sid);
            exchange.getResponseHeaders().add("Set-Cookie",
                COOKIE + "=" + login.sessionId() + "; Path=/; HttpOnly; SameSite=Lax");
            respond(exchange, 200, login.body());
          }
          case "/api/logout" -> {
            requireMethod(method, "POST");
            service.logout(sid);
            exchange.getResponseHeaders().add("Set-Cookie",
                COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
            respond(exchange, 200, Map.of("loggedOut", true));
          }
          case "/api/quiz/start" -> {
            requireMethod(method, "POST");
            respond(exchange, 200, service.start(sid));
          }
          case "/api/quiz/answer" -> {
            requireMethod(method, "POST");
            Map<String, Object> body = body(exchange);
            respond(exchange, 200, service.answer(sid, body.get("question"), body.get("choice")));
          }
          case "/api/quiz/submit" -> {
            requireMethod(method, "POST");
            respond(exchange, 200, service.submit(sid));
          }
          case "/api/quiz/state" -> {
            requireMethod(method, "GET");
            respond(exchange, 200, service.state(sid));
          }
          case "/api/stats" -> {
            requireMethod(method, "GET");
            respond(exchange, 200, service.stats());
          }
          default -> throw new ApiException(404, "no such endpoint: " + method + " " + path);
        }
      } catch (ApiException e) {
        respond(exchange, e.status(), Map.of("error", e.getMessage()));
      } catch (IllegalArgumentException e) {
        respond(exchange, 400, Map.of("error", String.valueOf(e.getMessage())));
      } catch (StoreUnavailableException e) {
        respond(exchange, 503, Map.of("error", "the session store is unavailable; try again"));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, method + " " + path + " failed", e);
        respond(exchange, 500, Map.of("error", "internal error"));
      }
    }
  }

  private void handleStatic(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String file = STATIC_FILES.get(path);
      if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        sendBytes(exchange, 405, "text/plain; charset=utf-8", "method not allowed".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (file == null) {
        sendBytes(exchange, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] bytes;
      try (InputStream in = QuizServer.class.getResourceAsStream("/web/" + file)) {
        if (in == null) {
          throw new IOException("resource /web/" + file + " is missing from the jar");
        }
        bytes = in.readAllBytes();
      }
      String type = file.endsWith(".html") ? "text/html; charset=utf-8"
          : file.endsWith(".js") ? "text/javascript; charset=utf-8"
          : "text/css; charset=utf-8";
      exchange.getResponseHeaders().add("Content-Security-Policy",
          "default-src 'self'; frame-ancestors 'none'");
      sendBytes(exchange, 200, type, bytes);
    }
  }

  private static void requireMethod(String method, String expected) {
    if (!expected.equals(method)) {
      throw new ApiException(405, "use " + expected);
    }
  }

  private static Map<String, Object> body(HttpExchange exchange) throws IOException {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new ApiException(413, "request body over " + MAX_BODY_BYTES + " bytes");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    return text.isBlank() ? Map.of() : Json.parseObject(text);
  }

  private static String cookie(HttpExchange exchange) {
    List<String> headers = exchange.getRequestHeaders().get("Cookie");
    if (headers == null) {
      return null;
    }
    for (String header : headers) {
      for (String part : header.split(";")) {
        String trimmed = part.trim();
        if (trimmed.startsWith(COOKIE + "=")) {
          return trimmed.substring(COOKIE.length() + 1);
        }
      }
    }
    return null;
  }

  private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
    sendBytes(exchange, status, "application/json; charset=utf-8",
        Json.write(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void sendBytes(HttpExchange exchange, int status, String type, byte[] bytes)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
    if (!head && bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
