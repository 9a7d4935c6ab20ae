package dev.sessionstore.examples.quiz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On MongoDB (the embedded server) attempts survive a restart of the quiz server: results stay, a
 * running quiz ticks on, and a quiz whose deadline passed while the server was down is evaluated
 * when it comes back. Time is a manual clock shared by both server lifetimes.
 */
class MongoRestartTest {

  private static EmbeddedMongo mongo;
  private static String uri;

  @BeforeAll
  static void startMongo() {
    mongo = EmbeddedMongo.startOrSkip("restart");
    uri = mongo.uri;
  }

  @AfterAll
  static void stopMongo() {
    if (mongo != null) {
      mongo.close();
    }
  }

  private static QuizServer start(TestClock clock) {
    return QuizServer.start(
        QuizApiTest.options(uri, Duration.ofSeconds(60), Duration.ofMillis(50), "--questions", "4"),
        clock);
  }

  @Test
  void attemptsAndLoginsSurviveARestart() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-05-01T09:00:00Z"));
    String submittedAttempt;
    String expiringAttempt;
    String runningAttempt;
    String runningSid;
    String submitterSid;
    String expiringSid;
    try (QuizServer before = start(clock)) {
      TestBrowser submitter = new TestBrowser(before.url());
      submitter.login("ruth");
      submittedAttempt =
          (String) submitter.post("/api/quiz/start", null).map("quiz").get("attemptId");
      submitter.answer(1, 1);
      assertThat(submitter.post("/api/quiz/submit", null).status()).isEqualTo(200);
      submitterSid = submitter.sid();

      TestBrowser expiring = new TestBrowser(before.url());
      expiring.login("ida");
      expiringAttempt =
          (String) expiring.post("/api/quiz/start", null).map("quiz").get("attemptId");
      expiring.answer(2, 3);
      expiringSid = expiring.sid();

      clock.advance(Duration.ofSeconds(30));
      TestBrowser running = new TestBrowser(before.url());
      running.login("mary");
      runningAttempt = (String) running.post("/api/quiz/start", null).map("quiz").get("attemptId");
      running.answer(4, 0);
      runningSid = running.sid();
    }

    // Down for 40 s: ida's deadline (09:01:00) passes, mary's (09:01:30) does not.
    clock.advance(Duration.ofSeconds(40));

    try (QuizServer after = start(clock)) {
      TestBrowser browser = new TestBrowser(after.url());
      browser.useSid(submitterSid);
      List<?> ruth = attempts(browser, "ruth");
      assertThat(ruth).hasSize(1);
      assertThat(QuizData.map(ruth.get(0)))
          .containsEntry("attemptId", submittedAttempt)
          .containsEntry("evaluatedBy", "submit");

      TestBrowser idasBrowser = new TestBrowser(after.url());
      idasBrowser.useSid(expiringSid);
      Map<String, Object> ida = awaitResult(idasBrowser, "ida", expiringAttempt);
      assertThat(ida).containsEntry("evaluatedBy", "deadline");
      assertThat(ida.get("answers")).isEqualTo(Map.of("2", 3L));

      TestBrowser mary = new TestBrowser(after.url());
      mary.useSid(runningSid);
      long ticks = (Long) mary.get("/api/quiz/state").map("quiz").get("ticks");
      long deadlineWait = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while ((Long) mary.get("/api/quiz/state").map("quiz").get("ticks") <= ticks) {
        assertThat(System.nanoTime()).as("mary's quiz ticks again").isLessThan(deadlineWait);
        Thread.sleep(20);
      }
      assertThat(mary.answer(3, 1).status()).isEqualTo(200);
      assertThat(new TestBrowser(after.url()).login("mary").status()).isEqualTo(409);
      Map<String, Object> result = mary.post("/api/quiz/submit", null).body();
      assertThat(result).containsEntry("attemptId", runningAttempt);
      assertThat(result.get("answers")).isEqualTo(Map.of("4", 0L, "3", 1L));
    }
  }

  private static List<?> attempts(TestBrowser browser, String user) {
    return QuizData.list(browser.get("/api/results/" + user).body().get("attempts"));
  }

  private static Map<String, Object> awaitResult(TestBrowser browser, String user, String attemptId)
      throws InterruptedException {
    long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < giveUp) {
      for (Object attempt : attempts(browser, user)) {
        if (attemptId.equals(QuizData.map(attempt).get("attemptId"))) {
          return QuizData.map(attempt);
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no result for " + user);
  }
}
