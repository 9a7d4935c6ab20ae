package dev.sessionstore.examples.quiz;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * N concurrent candidates taking the quiz over HTTP, the way browsers would: each logs in, starts a
 * quiz and answers from two tabs sharing its cookie while the server ticks the quiz; a second
 * browser tries to log in and to start a quiz meanwhile; some submit early, some race the deadline
 * with their submit, the rest let it pass and send late answers. Afterwards each candidate checks
 * that its attempt has exactly one result holding exactly the answers the server accepted.
 * Thread-safe: one run per call.
 */
final class Simulation {

  /** How a candidate ends its quiz. */
  private enum Ending {
    SUBMIT_EARLY,
    LET_EXPIRE,
    RACE_DEADLINE
  }

  /**
   * How long after its deadline an attempt may wait for its evaluation (an overloaded store is
   * slow).
   */
  private static final Duration RESULT_WAIT = Duration.ofMinutes(2);

  /** How long one request may take before it counts as a transport error. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

  private final String baseUrl;
  private final int candidates;
  private final SimulationReport report;
  private final HttpClient client;
  private final String runId;

  private Simulation(String baseUrl, int candidates) {
    this(baseUrl, candidates, new SimulationReport(candidates));
  }

  private Simulation(String baseUrl, int candidates, SimulationReport report) {
    this.baseUrl = baseUrl;
    this.candidates = candidates;
    this.report = report;
    // Let the client drop idle connections before the server's idle timeout (30 s by default) does,
    // so that no request is sent on a connection the server is closing. Read once, by the first
    // client.
    if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
      System.setProperty("jdk.httpclient.keepalive.timeout", "20");
    }
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    this.runId = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
  }

  /**
   * Runs a simulation: against {@code options.url()} if set, else against a server started
   * in-process on a free port with the options' store and quiz duration.
   *
   * @param options the options; {@code simulate} is the number of candidates
   * @param log where progress goes
   * @return the report
   */
  static SimulationReport run(Options options, PrintStream log) {
    if (options.url() != null) {
      return run(options.url(), options.simulate(), log);
    }
    try (QuizServer server = QuizServer.start(options.forInProcessServer())) {
      log.println(
          "In-process quiz server on "
              + server.url()
              + " with store "
              + QuizServer.redactedUri(options.store()));
      return run(server.url(), options.simulate(), log);
    }
  }

  /**
   * Runs a simulation against a running server.
   *
   * @param baseUrl the server, e.g. {@code http://127.0.0.1:8080}
   * @param candidates how many candidates
   * @param log where progress goes
   * @return the report
   */
  static SimulationReport run(String baseUrl, int candidates, PrintStream log) {
    return new Simulation(baseUrl, candidates).run(log);
  }

  private SimulationReport run(PrintStream log) {
    report.target = baseUrl;
    warmUp();
    log.println("Simulating " + candidates + " candidates…");
    long started = System.nanoTime();
    ExecutorService candidatePool = Executors.newFixedThreadPool(candidates);
    ExecutorService tabPool = Executors.newCachedThreadPool();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < candidates; i++) {
        int index = i;
        futures.add(
            candidatePool.submit(
                () -> {
                  go.await();
                  candidate(index, tabPool);
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> future : futures) {
        try {
          future.get(10, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
          report.fail("a candidate crashed: " + e.getCause());
        } catch (TimeoutException e) {
          report.fail("a candidate did not finish within 10 minutes");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          report.fail("interrupted");
          break;
        }
      }
    } finally {
      candidatePool.shutdownNow();
      tabPool.shutdownNow();
    }
    report.elapsedMillis = (System.nanoTime() - started) / 1_000_000;
    Response stats = call("GET", "/api/stats", new Browser(), null, false);
    if (stats.status == 200) {
      report.serverStats = stats.body;
    }
    report.checkTotals();
    return report;
  }

  /**
   * Logs a throw-away user in and out a few times, uncounted, so that a freshly started server has
   * loaded and compiled its request path before all candidates arrive at once.
   */
  private void warmUp() {
    SimulationReport uncounted = new SimulationReport(0);
    Simulation quiet = new Simulation(baseUrl, 0, uncounted);
    for (int i = 0; i < 20; i++) {
      Browser browser = new Browser();
      quiet.call("POST", "/api/login", browser, Map.of("user", "warm-up-" + runId), false);
      quiet.call("GET", "/api/quiz/state", browser, null, false);
      quiet.call("POST", "/api/logout", browser, null, false);
    }
  }

  // ---------------------------------------------------------------- one candidate

  private void candidate(int index, ExecutorService tabPool) throws Exception {
    Random random = new Random(index * 7919L + runId.hashCode());
    String user = "cand-" + runId + "-" + index;
    Ending ending = Ending.values()[index % 3];

    Browser cookie = new Browser();
    Response login = call("POST", "/api/login", cookie, Map.of("user", user), false);
    if (!expect(login, 200, user + " login")) {
      return;
    }
    Browser otherBrowser = null;
    if (index % 2 == 0) {
      // Logged in twice before the quiz: allowed, the second session is not exclusive.
      Browser second = new Browser();
      Response secondLogin = call("POST", "/api/login", second, Map.of("user", user), false);
      if (expect(secondLogin, 200, user + " login in a second browser before the quiz")) {
        otherBrowser = second;
      }
    }

    Response start = call("POST", "/api/quiz/start", cookie, null, false);
    if (!expect(start, 200, user + " start")) {
      return;
    }
    report.quizzesStarted.increment();
    Map<String, Object> quiz = QuizData.map(start.body.get("quiz"));
    String attemptId = (String) quiz.get("attemptId");
    Instant deadline = Instant.parse((String) quiz.get("deadline"));
    Instant startedAt = Instant.parse((String) quiz.get("startedAt"));
    Duration quizLength = Duration.between(startedAt, deadline);
    report.quizSeconds = quizLength.toMillis() / 1000.0;
    List<?> questions = QuizData.list(quiz.get("questions"));

    // Both tabs answer their half of the questions, over the first ~60% of the quiz.
    Map<String, Long> accepted = new java.util.concurrent.ConcurrentHashMap<>();
    long spreadMillis = quizLength.toMillis() * 6 / 10;
    Random tabRandom = new Random(random.nextLong());
    Future<?> tab =
        tabPool.submit(
            () -> {
              answerHalf(questions, 1, cookie, spreadMillis, deadline, tabRandom, accepted, true);
              return null;
            });
    // Meanwhile a second browser tries to log in, and the earlier second session tries to start.
    Thread.sleep(random.nextInt((int) Math.max(1, spreadMillis / 3)));
    // A refusal proves the claim; a success proves a violation only if the quiz was surely still
    // running, that is if the answer came back before the deadline (an overloaded server may serve
    // the request after it, when logging in is rightly allowed again).
    Response intruder = call("POST", "/api/login", new Browser(), Map.of("user", user), false);
    if (intruder.status == 409) {
      report.secondLoginsTried.increment();
      report.secondLoginsRefused.increment();
    } else if (intruder.status == 200 && !Instant.now().isBefore(deadline)) {
      report.probesAfterDeadline.increment();
    } else {
      report.secondLoginsTried.increment();
      report.fail(user + ": second-browser login during the quiz answered " + intruder.status);
    }
    if (otherBrowser != null) {
      Response otherStart = call("POST", "/api/quiz/start", otherBrowser, null, false);
      if (otherStart.status == 409) {
        report.secondBrowserStartsTried.increment();
        report.secondBrowserStartsRefused.increment();
      } else if (otherStart.status == 200 && !Instant.now().isBefore(deadline)) {
        report.probesAfterDeadline.increment();
        // That browser now runs a quiz of its own: end it, so that the user is free again.
        call("POST", "/api/quiz/submit", otherBrowser, null, false);
      } else {
        report.secondBrowserStartsTried.increment();
        report.fail(user + ": quiz start in a second browser answered " + otherStart.status);
      }
    }
    answerHalf(questions, 0, cookie, spreadMillis, deadline, random, accepted, false);
    tab.get();

    String expectedBy;
    switch (ending) {
      case SUBMIT_EARLY -> {
        Response submit = call("POST", "/api/quiz/submit", cookie, null, false);
        if (submit.status != 200) {
          if (submit.status == 410 && !Instant.now().isBefore(deadline)) {
            // Meant to be early, but the server was slower than the quiz: evaluated on the
            // deadline.
            report.submitRacesLost.increment();
            expectedBy = "deadline";
            break;
          }
          report.fail(user + " submit answered " + submit.status + " " + submit.body);
          return;
        }
        report.submittedEarly.increment();
        expectedBy = "submit";
        // The duplicate tab, not knowing, submits again and answers once more: both refused.
        Response again = call("POST", "/api/quiz/submit", cookie, null, false);
        if (again.status == 409) {
          report.doubleSubmitsRefused.increment();
        } else {
          report.fail(user + ": a second submit answered " + again.status);
        }
        report.answersAfterSubmitSent.increment();
        report.answersSent.increment();
        Response late =
            call("POST", "/api/quiz/answer", cookie, Map.of("question", 1, "choice", 0), true);
        if (late.status == 200) {
          report.fail(user + ": an answer after submit was accepted");
          recordAccepted(accepted, 1, 0L, false);
        } else {
          report.answersAfterSubmitRejected.increment();
        }
      }
      case RACE_DEADLINE -> {
        long jitter = random.nextInt(61) - 30;
        sleepUntil(deadline.plusMillis(jitter));
        Response submit = call("POST", "/api/quiz/submit", cookie, null, false);
        if (submit.status == 200) {
          report.submitRacesWon.increment();
          expectedBy = "submit";
        } else if (submit.status == 410) {
          report.submitRacesLost.increment();
          expectedBy = "deadline";
        } else {
          report.fail(
              user + ": submit at the deadline answered " + submit.status + " " + submit.body);
          return;
        }
      }
      default -> {
        expectedBy = "deadline";
        sleepUntil(deadline.plusMillis(300));
        for (int i = 0; i < 2; i++) {
          report.lateAnswersSent.increment();
          report.answersSent.increment();
          Response late =
              call(
                  "POST",
                  "/api/quiz/answer",
                  cookie,
                  Map.of("question", 1 + random.nextInt(questions.size()), "choice", 0),
                  true);
          if (late.status == 200) {
            report.fail(user + ": a late answer was accepted");
          } else {
            report.lateAnswersRejected.increment();
          }
        }
      }
    }

    Map<String, Object> result = awaitResult(cookie, user, attemptId, quizLength);
    if (result == null) {
      return;
    }
    if (!expectedBy.equals(result.get("evaluatedBy"))) {
      report.fail(
          user + ": expected evaluation by " + expectedBy + ", got " + result.get("evaluatedBy"));
    }
    if ("submit".equals(result.get("evaluatedBy"))) {
      report.evaluatedOnSubmit.increment();
    } else {
      report.evaluatedOnDeadline.increment();
    }
    Map<String, Object> persisted = QuizData.map(result.get("answers"));
    report.answersPersisted.add(persisted.size());
    Map<String, Object> expected = new LinkedHashMap<>(accepted);
    if (!new java.util.HashMap<>(persisted).equals(new java.util.HashMap<>(expected))) {
      report.fail(user + ": accepted answers " + expected + " but the result holds " + persisted);
    }
    Object ticks = result.get("ticks");
    Object applied = result.get("ticksApplied");
    if (ticks instanceof Long && applied instanceof Long) {
      report.ticksInResults.add((Long) ticks);
      report.ticksApplied.add((Long) applied);
    }

    // The quiz is over, so the exclusive claim is gone: another browser may log in again.
    Response after = call("POST", "/api/login", new Browser(), Map.of("user", user), false);
    if (after.status == 200) {
      report.loginsAfterQuizAccepted.increment();
    } else {
      report.fail(user + ": login after the quiz answered " + after.status + " " + after.body);
    }
  }

  private void answerHalf(
      List<?> questions,
      int parity,
      Browser cookie,
      long spreadMillis,
      Instant deadline,
      Random random,
      Map<String, Long> accepted,
      boolean duplicateTab)
      throws InterruptedException {
    int mine = (questions.size() + 1 - parity) / 2;
    for (int i = parity; i < questions.size(); i += 2) {
      Thread.sleep(random.nextInt((int) Math.max(1, spreadMillis / Math.max(1, mine))));
      if (random.nextInt(100) < 15) {
        continue; // left unanswered
      }
      Map<String, Object> question = QuizData.map(questions.get(i));
      long id = (Long) question.get("id");
      long choice = random.nextInt(QuizData.list(question.get("choices")).size());
      report.answersSent.increment();
      Response response =
          call("POST", "/api/quiz/answer", cookie, Map.of("question", id, "choice", choice), true);
      if (response.status == 200) {
        recordAccepted(accepted, id, choice, duplicateTab);
      } else if (Instant.now().isBefore(deadline)) {
        report.fail("an in-time answer was refused: " + response.status + " " + response.body);
      } else {
        // Sent in time but served after the deadline (a slow machine): late, and rightly refused.
        report.lateAnswersSent.increment();
        report.lateAnswersRejected.increment();
      }
    }
  }

  private void recordAccepted(
      Map<String, Long> accepted, long question, long choice, boolean duplicateTab) {
    accepted.put(Long.toString(question), choice);
    report.answersAccepted.increment();
    if (duplicateTab) {
      report.duplicateTabAnswersAccepted.increment();
    }
  }

  private Map<String, Object> awaitResult(
      Browser cookie, String user, String attemptId, Duration quizLength)
      throws InterruptedException {
    long giveUp = System.nanoTime() + quizLength.toNanos() + RESULT_WAIT.toNanos();
    while (true) {
      Response results = call("GET", "/api/results/" + user, cookie, null, false);
      if (results.status == 200) {
        List<Map<String, Object>> mine = new ArrayList<>();
        for (Object attempt : QuizData.list(results.body.get("attempts"))) {
          if (attemptId.equals(QuizData.map(attempt).get("attemptId"))) {
            mine.add(QuizData.map(attempt));
          }
        }
        if (mine.size() > 1) {
          report.fail(user + ": attempt has " + mine.size() + " results");
          return null;
        }
        if (mine.size() == 1) {
          report.attemptsWithOneResult.increment();
          return mine.get(0);
        }
      }
      if (System.nanoTime() > giveUp) {
        report.fail(
            user
                + ": no result for the attempt "
                + RESULT_WAIT.toSeconds()
                + " s after its deadline");
        return null;
      }
      Thread.sleep(150);
    }
  }

  private static void sleepUntil(Instant when) throws InterruptedException {
    long millis = Duration.between(Instant.now(), when).toMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  private boolean expect(Response response, int status, String what) {
    if (response.status == status) {
      return true;
    }
    report.fail(what + " answered " + response.status + " " + response.body);
    return false;
  }

  // ---------------------------------------------------------------- HTTP

  /** One response: status (-1 for a transport error) and JSON body. */
  private record Response(int status, Map<String, Object> body) {}

  /**
   * One browser's cookies: the session and the CSRF token, which it echoes in a header the way the
   * page does. Used by one thread at a time, or by two tabs that share it after the login.
   */
  private static final class Browser {
    volatile String sid;
    volatile String csrfToken;
  }

  private Response call(
      String method, String path, Browser browser, Map<String, ?> body, boolean isAnswer) {
    if (!"GET".equals(method) && browser.csrfToken == null) {
      Response token = call("GET", "/api/csrf", browser, null, false);
      if (token.status != 200) {
        return token;
      }
    }
    // Generous: a request that fails for taking long on an overloaded machine proves nothing.
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT);
    StringBuilder cookies = new StringBuilder();
    if (browser.sid != null) {
      cookies.append("sid=").append(browser.sid);
    }
    if (browser.csrfToken != null) {
      cookies
          .append(cookies.length() == 0 ? "" : "; ")
          .append("XSRF-TOKEN=")
          .append(browser.csrfToken);
      request.header("X-XSRF-TOKEN", browser.csrfToken);
    }
    if (cookies.length() > 0) {
      request.header("Cookie", cookies.toString());
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
      request.method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    } else {
      request.method(
          method,
          "POST".equals(method)
              ? HttpRequest.BodyPublishers.ofString("")
              : HttpRequest.BodyPublishers.noBody());
    }
    long started = System.nanoTime();
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      long nanos = System.nanoTime() - started;
      report.requests.increment();
      report.latencyNanos.add(nanos);
      if (isAnswer) {
        report.answerLatencyNanos.add(nanos);
      }
      for (String header : response.headers().allValues("Set-Cookie")) {
        int end = header.indexOf(';');
        String value = header.substring(header.indexOf('=') + 1, end < 0 ? header.length() : end);
        if (header.startsWith("sid=")) {
          browser.sid = value.isEmpty() ? null : value;
        } else if (header.startsWith("XSRF-TOKEN=")) {
          browser.csrfToken = value.isEmpty() ? null : value;
        }
      }
      Map<String, Object> parsed =
          response.body().isBlank() ? Map.of() : Json.parseObject(response.body());
      return new Response(response.statusCode(), parsed);
    } catch (IOException | IllegalArgumentException e) {
      report.transportErrors.increment();
      report.fail(method + " " + path + " failed: " + e);
      return new Response(-1, Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      report.transportErrors.increment();
      return new Response(-1, Map.of());
    }
  }
}
