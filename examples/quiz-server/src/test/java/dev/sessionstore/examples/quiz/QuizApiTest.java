package dev.sessionstore.examples.quiz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API on the memory store, on a free port. */
class QuizApiTest {

  private final List<QuizServer> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(QuizServer::close);
  }

  /**
   * Options of a test server on a free port: the store, the quiz length, the tick, and any more.
   */
  static Options options(String store, Duration quiz, Duration tick, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--store",
                store,
                "--port",
                "0",
                "--quiz-seconds",
                Double.toString(quiz.toMillis() / 1000.0),
                "--tick-ms",
                Long.toString(tick.toMillis()),
                "--cleanup-ms",
                "100"));
    args.addAll(List.of(more));
    return Options.parse(args.toArray(String[]::new));
  }

  private QuizServer server(Duration quiz, Duration tick, InstantSource clock) {
    QuizServer server = QuizServer.start(options("memory:", quiz, tick), clock);
    servers.add(server);
    return server;
  }

  private QuizServer server(Duration quiz) {
    return server(quiz, Duration.ofMillis(250), InstantSource.system());
  }

  @Test
  void loginSetsAnHttpOnlySameSiteCookieUnderANewIdEveryTime() {
    QuizServer server = server(Duration.ofSeconds(30));
    TestBrowser browser = new TestBrowser(server.url());

    TestBrowser.Reply login = browser.login("ada");

    assertThat(login.status()).isEqualTo(200);
    assertThat(login.body()).containsEntry("user", "ada").containsEntry("quiz", null);
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .startsWith("sid=")
        .containsIgnoringCase("HttpOnly")
        .contains("SameSite=Lax")
        .contains("Path=/");
    assertThat(browser.get("/api/quiz/state").body()).containsEntry("user", "ada");
    assertThat(cookie).as("no Secure over plain HTTP unless configured").doesNotContain("Secure");
    // Logging in again in the same browser replaces the session (fixation protection).
    String sid = browser.sid();
    assertThat(browser.login("ada").status()).isEqualTo(200);
    assertThat(browser.sid()).isNotEqualTo(sid);
    TestBrowser old = new TestBrowser(server.url());
    old.useSid(sid);
    assertThat(old.get("/api/quiz/state").status())
        .as("the replaced session is gone")
        .isEqualTo(401);
  }

  @Test
  void aQuizFromStartToSubmitScoresTheSavedAnswersOnce() {
    QuizServer server = server(Duration.ofSeconds(30));
    TestBrowser browser = new TestBrowser(server.url());
    browser.login("grace");

    TestBrowser.Reply start = browser.post("/api/quiz/start", null);

    assertThat(start.status()).isEqualTo(200);
    Map<String, Object> quiz = start.map("quiz");
    assertThat(quiz).containsEntry("status", "running").containsKey("deadline");
    List<?> questions = QuizData.list(quiz.get("questions"));
    assertThat(questions).hasSize(6);
    assertThat(start.raw()).as("correct choices never reach the client").doesNotContain("correct");
    assertThat(
            Duration.between(
                Instant.parse((String) quiz.get("startedAt")),
                Instant.parse((String) quiz.get("deadline"))))
        .isEqualTo(Duration.ofSeconds(30));

    assertThat(browser.answer(1, 2).body())
        .containsEntry("accepted", true)
        .containsEntry("answered", 1L);
    assertThat(browser.answer(2, 0).status()).isEqualTo(200);
    assertThat(browser.answer(1, 3).body()).as("changing an answer").containsEntry("answered", 2L);
    assertThat(browser.answer(99, 0).status()).isEqualTo(400);
    assertThat(browser.answer(1, 4).status()).isEqualTo(400);
    assertThat(browser.post("/api/quiz/answer", "{\"question\":\"1\",\"choice\":0}").status())
        .isEqualTo(400);

    TestBrowser.Reply submit = browser.post("/api/quiz/submit", null);

    assertThat(submit.status()).isEqualTo(200);
    Map<String, Object> result = submit.body();
    assertThat(result).containsEntry("evaluatedBy", "submit").containsEntry("total", 6L);
    assertThat(result.get("answers")).isEqualTo(Map.of("1", 3L, "2", 0L));
    Map<String, Object> correct = QuizData.map(result.get("correct"));
    long expectedScore =
        (correct.get("1").equals(3L) ? 1 : 0) + (correct.get("2").equals(0L) ? 1 : 0);
    assertThat(result).containsEntry("score", expectedScore);

    assertThat(browser.answer(3, 0).status()).as("answer after submit").isEqualTo(409);
    assertThat(browser.post("/api/quiz/submit", null).status()).as("second submit").isEqualTo(409);
    List<?> attempts = QuizData.list(browser.get("/api/results/grace").body().get("attempts"));
    assertThat(attempts).hasSize(1);
    assertThat(QuizData.map(attempts.get(0)))
        .containsEntry("attemptId", quiz.get("attemptId"))
        .containsEntry("score", expectedScore);
    Map<String, Object> state = browser.get("/api/quiz/state").map("quiz");
    assertThat(state).containsEntry("status", "submitted");
    assertThat(QuizData.map(state.get("result"))).containsEntry("score", expectedScore);
    // The session lives on after submitting; another quiz can start.
    assertThat(browser.post("/api/quiz/start", null).status()).isEqualTo(200);
  }

  @Test
  void anotherBrowserCannotLogInOrStartWhileTheQuizRuns() {
    QuizServer server = server(Duration.ofSeconds(30));
    TestBrowser first = new TestBrowser(server.url());
    TestBrowser earlier = new TestBrowser(server.url());
    TestBrowser second = new TestBrowser(server.url());
    assertThat(first.login("alan").status()).isEqualTo(200);
    assertThat(earlier.login("alan").status()).as("two logins before the quiz").isEqualTo(200);

    assertThat(first.post("/api/quiz/start", null).status()).isEqualTo(200);

    TestBrowser.Reply refused = second.login("alan");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body()).containsEntry("error", "quiz in progress in another browser");
    assertThat(second.sid()).isNull();
    TestBrowser.Reply start = earlier.post("/api/quiz/start", null);
    assertThat(start.status()).isEqualTo(409);
    assertThat(start.body()).containsEntry("error", "quiz in progress in another browser");
    assertThat(first.post("/api/quiz/start", null).status())
        .as("a second quiz in one browser")
        .isEqualTo(409);
    assertThat(new TestBrowser(server.url()).login("someone-else").status()).isEqualTo(200);
    assertThat(first.post("/api/logout", null).status())
        .as("logout during the quiz")
        .isEqualTo(409);

    assertThat(first.post("/api/quiz/submit", null).status()).isEqualTo(200);

    assertThat(second.login("alan").status()).as("claim released after submit").isEqualTo(200);
    assertThat(first.post("/api/logout", null).status()).isEqualTo(200);
    assertThat(first.get("/api/quiz/state").status()).isEqualTo(401);
  }

  @Test
  void ticksAndAnswersFromTwoTabsNeverOverwriteEachOther() throws Exception {
    QuizServer server =
        server(Duration.ofSeconds(30), Duration.ofMillis(10), InstantSource.system());
    TestBrowser tab1 = new TestBrowser(server.url());
    tab1.login("barbara");
    TestBrowser tab2 = new TestBrowser(server.url());
    tab2.useSid(tab1.sid());
    assertThat(tab1.post("/api/quiz/start", null).status()).isEqualTo(200);

    // Each tab rewrites its own questions many times while the server ticks every 10 ms.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    Map<String, Long> lastAccepted = new java.util.concurrent.ConcurrentHashMap<>();
    List<Future<Integer>> tabs = new ArrayList<>();
    for (TestBrowser tab : List.of(tab1, tab2)) {
      int parity = tab == tab1 ? 1 : 2;
      tabs.add(
          pool.submit(
              () -> {
                go.await();
                int accepted = 0;
                for (int round = 0; round < 40; round++) {
                  for (long q = parity; q <= 6; q += 2) {
                    long choice = (round + q) % 4;
                    if (tab.answer(q, choice).status() == 200) {
                      accepted++;
                      lastAccepted.put(Long.toString(q), choice);
                    }
                  }
                }
                return accepted;
              }));
    }
    go.countDown();
    int accepted = 0;
    for (Future<Integer> tab : tabs) {
      accepted += tab.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(tab2.post("/api/quiz/submit", null).status()).isEqualTo(200);
    Map<String, Object> result =
        QuizData.map(QuizData.list(tab1.get("/api/results/barbara").body().get("attempts")).get(0));

    assertThat(accepted).isEqualTo(2 * 40 * 3);
    assertThat(new HashMap<>(QuizData.map(result.get("answers"))))
        .isEqualTo(new HashMap<>(lastAccepted));
    assertThat((Long) result.get("ticks"))
        .as("ticks happened during the answers")
        .isGreaterThan(5L);
    assertThat(result.get("ticks"))
        .as("every applied tick is in the session")
        .isEqualTo(result.get("ticksApplied"));
  }

  @Test
  void theDeadlineEvaluatesTheSavedAnswersExactlyOnceOnTheSystemClock() throws Exception {
    QuizServer server = server(Duration.ofMillis(1500));
    TestBrowser browser = new TestBrowser(server.url());
    browser.login("edsger");
    Map<String, Object> quiz = browser.post("/api/quiz/start", null).map("quiz");
    assertThat(browser.answer(1, 1).status()).isEqualTo(200);
    assertThat(browser.answer(4, 2).status()).isEqualTo(200);
    assertThat(new TestBrowser(server.url()).login("edsger").status()).isEqualTo(409);

    Map<String, Object> result =
        awaitResult(browser, "edsger", (String) quiz.get("attemptId"), Duration.ofSeconds(8));

    assertThat(result).containsEntry("evaluatedBy", "deadline");
    assertThat(result.get("answers")).isEqualTo(Map.of("1", 1L, "4", 2L));
    assertThat(browser.answer(2, 0).status()).as("late answer").isEqualTo(410);
    assertThat(browser.post("/api/quiz/submit", null).status()).as("late submit").isEqualTo(410);
    assertThat(browser.get("/api/quiz/state").map("quiz"))
        .as("the page sees the evaluation")
        .containsEntry("status", "over")
        .containsEntry("attemptId", quiz.get("attemptId"));
    assertThat(new TestBrowser(server.url()).login("edsger").status())
        .as("the expired quiz released its claim")
        .isEqualTo(200);
    Thread.sleep(500); // room for a wrong second evaluation to show up
    assertThat(QuizData.list(browser.get("/api/results/edsger").body().get("attempts"))).hasSize(1);
    Map<String, Object> stats = browser.get("/api/stats").body();
    assertThat(stats)
        .containsEntry("evaluatedOnDeadline", 1L)
        .containsEntry("evaluatedOnSubmit", 0L)
        .containsEntry("duplicateEvaluationsRejected", 0L);
  }

  @Test
  void theDeadlineEvaluatesOnTheStoreClockWithoutWaiting() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    QuizServer server = server(Duration.ofSeconds(60), Duration.ofMillis(50), clock);
    TestBrowser browser = new TestBrowser(server.url());
    browser.login("hedy");
    Map<String, Object> quiz = browser.post("/api/quiz/start", null).map("quiz");
    assertThat(quiz).containsEntry("deadline", "2026-03-01T10:01:00Z");
    browser.answer(3, 1);
    clock.advance(Duration.ofSeconds(59));
    assertThat(browser.answer(5, 0).status()).as("one second left").isEqualTo(200);

    clock.advance(Duration.ofSeconds(1));

    assertThat(browser.answer(6, 0).status()).as("at the deadline").isEqualTo(410);
    Map<String, Object> result =
        awaitResult(browser, "hedy", (String) quiz.get("attemptId"), Duration.ofSeconds(5));
    assertThat(result)
        .containsEntry("evaluatedBy", "deadline")
        .containsEntry("evaluatedAt", "2026-03-01T10:01:00Z");
    assertThat(result.get("answers")).isEqualTo(Map.of("3", 1L, "5", 0L));
    assertThat(result.get("ticks")).isEqualTo(result.get("ticksApplied"));
  }

  @Test
  void onlyALoginSessionIdIsALoginCookie() {
    QuizServer server = server(Duration.ofSeconds(30));
    TestBrowser browser = new TestBrowser(server.url());
    browser.login("mallory");
    browser.post("/api/quiz/start", null);
    browser.answer(1, 1);
    assertThat(browser.post("/api/quiz/submit", null).status()).isEqualTo(200);
    List<Session> others =
        server
            .store()
            .all()
            .filter(s -> !s.id().equals(browser.sid()))
            .collectList()
            .block(Duration.ofSeconds(10));
    assertThat(others)
        .extracting(s -> s.attribute("kind"))
        .containsExactlyInAnyOrder("quiz", "results");

    for (Session other : others) {
      browser.useSid(other.id());
      assertThat(browser.get("/api/quiz/state").status()).isEqualTo(401);
      assertThat(browser.post("/api/quiz/start", null).status()).isEqualTo(401);
      assertThat(browser.answer(1, 1).status()).isEqualTo(401);
    }
  }

  @Test
  void badRequestsAreNamed() {
    QuizServer server = server(Duration.ofSeconds(30));
    TestBrowser browser = new TestBrowser(server.url());

    assertThat(browser.login("no spaces").status()).isEqualTo(400);
    assertThat(browser.post("/api/login", "{\"user\":").body().get("error").toString())
        .contains("malformed JSON");
    assertThat(browser.get("/api/login").status()).isEqualTo(405);
    assertThat(browser.get("/api/nothing").status()).as("anonymous").isEqualTo(401);
    assertThat(browser.post("/api/quiz/start", null).status()).isEqualTo(401);
    browser.useSid("not-a-live-id");
    assertThat(browser.get("/api/quiz/state").status()).isEqualTo(401);
    assertThat(browser.login("ada").status()).isEqualTo(200);
    TestBrowser.Reply missing = browser.get("/api/nothing");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.error()).isEqualTo("no such endpoint: GET /api/nothing");
    assertThat(browser.post("/api/quiz/answer", "{}").status()).isEqualTo(400);
    assertThat(browser.answer(1, 0).status()).as("no quiz yet").isEqualTo(409);
    assertThat(browser.get("/api/results/ada").body()).containsEntry("attempts", List.of());
  }

  @Test
  void servesThePage() {
    QuizServer server = server(Duration.ofSeconds(30));
    TestBrowser browser = new TestBrowser(server.url());

    TestBrowser.Reply page = browser.get("/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.raw()).contains("<script src=\"app.js\"");
    assertThat(browser.get("/app.js").headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/javascript");
    assertThat(browser.get("/style.css").status()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'self'")
        .contains("frame-ancestors 'none'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(browser.get("/../pom.xml").status()).isNotEqualTo(200);
    assertThat(browser.get("/app.js/../../pom.xml").status()).isNotEqualTo(200);
  }

  private static Map<String, Object> awaitResult(
      TestBrowser browser, String user, String attemptId, Duration within)
      throws InterruptedException {
    long giveUp = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < giveUp) {
      for (Object attempt :
          QuizData.list(browser.get("/api/results/" + user).body().get("attempts"))) {
        if (attemptId.equals(QuizData.map(attempt).get("attemptId"))) {
          return QuizData.map(attempt);
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no result for " + user + " within " + within);
  }
}
