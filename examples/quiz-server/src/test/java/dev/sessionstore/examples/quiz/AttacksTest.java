package dev.sessionstore.examples.quiz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each attack the quiz demo once fell to, tried again: every one must fail. */
class AttacksTest {

  private final List<QuizServer> servers = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    servers.forEach(QuizServer::close);
  }

  private QuizServer server(String store, String... more) {
    QuizServer server =
        QuizServer.start(
            QuizApiTest.options(store, Duration.ofSeconds(30), Duration.ofMillis(250), more),
            InstantSource.system());
    servers.add(server);
    return server;
  }

  @Test
  void slowConnectionsDoNotStopOtherUsersAndAreCutAfterTheReadTimeout() throws Exception {
    QuizServer server = server("memory:", "--read-timeout-ms", "1000", "--idle-timeout-ms", "2000");
    URI uri = URI.create(server.url());
    // 48 bodies that never complete, and 48 request heads that never complete (slowloris).
    List<Socket> slowBodies = new ArrayList<>();
    List<Socket> slowHeads = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      Socket body = connect(uri);
      send(
          body,
          "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: 1000\r\n\r\n{\"user\":");
      slowBodies.add(body);
      Socket head = connect(uri);
      send(head, "GET /api/stats HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      slowHeads.add(head);
    }

    // Meanwhile a candidate takes a whole quiz.
    TestBrowser browser = new TestBrowser(server.url());
    assertThat(browser.login("ada").status()).isEqualTo(200);
    assertThat(browser.post("/api/quiz/start", null).status()).isEqualTo(200);
    assertThat(browser.answer(1, 0).status()).isEqualTo(200);
    assertThat(browser.post("/api/quiz/submit", null).status()).isEqualTo(200);

    // The server closes every slow connection by itself (read timeout, idle timeout).
    for (Socket socket : slowBodies) {
      assertThat(readUntilClosed(socket)).as("a stalled body is cut").isTrue();
    }
    for (Socket socket : slowHeads) {
      assertThat(readUntilClosed(socket)).as("a stalled request head is cut").isTrue();
    }
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAndTheRestServed() throws Exception {
    QuizServer server = server("memory:", "--max-connections", "3", "--idle-timeout-ms", "60000");
    URI uri = URI.create(server.url());
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Socket socket = connect(uri);
      send(socket, "GET /api/stats HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(readHead(socket)).startsWith("HTTP/1.1 200");
      held.add(socket); // kept alive
    }

    Socket extra = connect(uri);
    send(extra, "GET /api/stats HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(readUntilClosed(extra)).as("the fourth connection is closed").isTrue();

    held.get(0).close();
    long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      Socket again = connect(uri);
      send(again, "GET /api/stats HTTP/1.1\r\nHost: x\r\n\r\n");
      String head = readHead(again);
      if (head.startsWith("HTTP/1.1 200")) {
        break; // served again once a connection is free
      }
      assertThat(System.nanoTime()).as("a freed connection slot is reused").isLessThan(giveUp);
      Thread.sleep(50);
    }
  }

  @Test
  void theSessionIdChangesAtLoginSoAPlantedIdIsWorthless() {
    QuizServer server = server("memory:");
    TestBrowser attacker = new TestBrowser(server.url());
    attacker.login("mallory");
    String planted = attacker.sid();
    TestBrowser victim = new TestBrowser(server.url());
    victim.useSid(planted); // e.g. set through a sibling subdomain

    assertThat(victim.login("victim").status()).isEqualTo(200);
    assertThat(victim.sid()).isNotEqualTo(planted);
    assertThat(victim.post("/api/quiz/start", null).status()).isEqualTo(200);

    assertThat(attacker.get("/api/quiz/state").status())
        .as("the planted id is no login any more")
        .isEqualTo(401);
    assertThat(attacker.answer(1, 0).status()).isEqualTo(401);
    assertThat(attacker.get("/api/results/victim").status()).isEqualTo(401);

    TestBrowser guesser = new TestBrowser(server.url());
    guesser.useSid("made-up-but-well-formed-id-0123456789");
    assertThat(guesser.login("guesser").status()).isEqualTo(200);
    assertThat(guesser.sid()).isNotEqualTo("made-up-but-well-formed-id-0123456789");
  }

  @Test
  void crossSiteRequestsAreRefused() {
    QuizServer server = server("memory:");
    TestBrowser victim = new TestBrowser(server.url());
    victim.login("ada");
    String evil = "https://evil.example";

    // A cross-site form or fetch carries the cookies but cannot read the token to echo it.
    TestBrowser.Reply start =
        victim.send("POST", "/api/quiz/start", "", null, Map.of("Origin", evil));
    assertThat(start.status()).isEqualTo(403);
    assertThat(start.error()).contains("X-XSRF-TOKEN");
    assertThat(
            victim
                .send(
                    "POST",
                    "/api/quiz/start",
                    "",
                    null,
                    Map.of("Origin", evil, "X-XSRF-TOKEN", "guessed"))
                .status())
        .isEqualTo(403);
    assertThat(victim.send("POST", "/api/logout", "", null, Map.of()).status()).isEqualTo(403);
    TestBrowser.Reply formLogin =
        victim.send(
            "POST", "/api/login", "{\"user\":\"mallory\"}", "text/plain", Map.of("Origin", evil));
    assertThat(formLogin.status()).isEqualTo(403);

    assertThat(victim.get("/api/quiz/state").body())
        .as("nothing happened")
        .containsEntry("user", "ada")
        .containsEntry("quiz", null);
    assertThat(server.service().stats())
        .containsEntry("quizzesStarted", 0L)
        .containsEntry("loginsAccepted", 1L);
  }

  @Test
  void nonJsonBodiesAreRefusedEvenWithTheToken() {
    QuizServer server = server("memory:");
    TestBrowser browser = new TestBrowser(server.url());
    Map<String, String> token = Map.of("X-XSRF-TOKEN", browser.csrfToken());

    assertThat(
            browser.send("POST", "/api/login", "{\"user\":\"ada\"}", "text/plain", token).status())
        .isEqualTo(415);
    assertThat(
            browser
                .send("POST", "/api/login", "user=ada", "application/x-www-form-urlencoded", token)
                .status())
        .isEqualTo(415);
    assertThat(browser.send("POST", "/api/login", "{\"user\":\"ada\"}", null, token).status())
        .isEqualTo(415);
    assertThat(browser.sid()).isNull();
    assertThat(browser.login("ada").status()).isEqualTo(200);
    browser.post("/api/quiz/start", null);
    assertThat(
            browser
                .send(
                    "POST",
                    "/api/quiz/answer",
                    "{\"question\":1,\"choice\":0}",
                    "text/plain",
                    token)
                .status())
        .isEqualTo(415);
    String huge = "{\"question\":1,\"choice\":0,\"pad\":\"" + "x".repeat(20_000) + "\"}";
    TestBrowser.Reply tooBig =
        browser.send("POST", "/api/quiz/answer", huge, "application/json", token);
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.error()).isEqualTo("request body over 16384 bytes");
    assertThat(server.service().stats()).containsEntry("answersAccepted", 0L);
  }

  @Test
  void resultsAreReadableOnlyByTheirOwner() {
    QuizServer server = server("memory:");
    TestBrowser ada = new TestBrowser(server.url());
    ada.login("ada");
    ada.post("/api/quiz/start", null);
    ada.answer(1, 2);
    assertThat(ada.post("/api/quiz/submit", null).status()).isEqualTo(200);

    assertThat(new TestBrowser(server.url()).get("/api/results/ada").status())
        .as("no session")
        .isEqualTo(401);
    TestBrowser bob = new TestBrowser(server.url());
    bob.login("bob");
    TestBrowser.Reply refused = bob.get("/api/results/ada");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.error()).isEqualTo("results are readable only by their owner");
    assertThat(refused.raw()).doesNotContain("score");

    assertThat(QuizData.list(ada.get("/api/results/ada").body().get("attempts"))).hasSize(1);
    TestBrowser adaElsewhere = new TestBrowser(server.url());
    adaElsewhere.login("ada");
    assertThat(QuizData.list(adaElsewhere.get("/api/results/ada").body().get("attempts")))
        .as("the owner's other browser")
        .hasSize(1);
  }

  @Test
  void aFullStoreAnswers503WithRetryAfterAndRecovers() {
    QuizServer server = server("memory:?maxSessions=3");
    TestBrowser a = new TestBrowser(server.url());
    TestBrowser b = new TestBrowser(server.url());
    TestBrowser c = new TestBrowser(server.url());
    assertThat(a.login("a").status()).isEqualTo(200);
    assertThat(b.login("b").status()).isEqualTo(200);
    assertThat(c.login("c").status()).isEqualTo(200);

    TestBrowser d = new TestBrowser(server.url());
    TestBrowser.Reply full = d.login("d");
    assertThat(full.status()).isEqualTo(503);
    assertThat(full.headers().firstValue("Retry-After")).contains(QuizErrors.RETRY_AFTER_SECONDS);
    assertThat(full.error()).contains("full");
    assertThat(a.post("/api/quiz/start", null).status())
        .as("a quiz needs a session too")
        .isEqualTo(503);
    assertThat(a.get("/api/quiz/state").status()).as("reading still works").isEqualTo(200);

    assertThat(b.post("/api/logout", null).status()).isEqualTo(200);

    assertThat(d.login("d").status()).as("recovered").isEqualTo(200);
  }

  @Test
  void newUserNamesComingAndGoingLeaveNothingInTheStore() {
    QuizServer server = server("memory:?maxSessions=4");
    for (int i = 0; i < 40; i++) {
      TestBrowser browser = new TestBrowser(server.url());
      String user = "passer-by-" + i;
      assertThat(browser.login(user).status()).as(user).isEqualTo(200);
      assertThat(browser.post("/api/quiz/start", null).status()).isEqualTo(200);
      assertThat(browser.post("/api/quiz/submit", null).status()).isEqualTo(200);
      assertThat(QuizData.list(browser.get("/api/results/" + user).body().get("attempts")))
          .hasSize(1);
      assertThat(browser.post("/api/logout", null).status()).isEqualTo(200);
    }

    assertThat(server.store().count().block(Duration.ofSeconds(10))).isZero();
    assertThat(server.service().stats()).containsEntry("resultsDropped", 40L);
  }

  @Test
  void aUsersResultsGoWithTheirLastLoginButNotBefore() {
    QuizServer server = server("memory:");
    TestBrowser first = new TestBrowser(server.url());
    TestBrowser second = new TestBrowser(server.url());
    first.login("ada");
    second.login("ada");
    first.post("/api/quiz/start", null);
    first.post("/api/quiz/submit", null);

    assertThat(first.post("/api/logout", null).status()).isEqualTo(200);
    assertThat(QuizData.list(second.get("/api/results/ada").body().get("attempts")))
        .as("another login still holds them")
        .hasSize(1);
    assertThat(second.post("/api/logout", null).status()).isEqualTo(200);

    TestBrowser later = new TestBrowser(server.url());
    later.login("ada");
    assertThat(QuizData.list(later.get("/api/results/ada").body().get("attempts"))).isEmpty();
  }

  @Test
  void secureCookiesWhenConfigured() {
    QuizServer server = server("memory:", "--secure-cookies");
    TestBrowser browser = new TestBrowser(server.url());
    TestBrowser.Reply token = browser.get("/api/csrf");
    assertThat(token.headers().allValues("Set-Cookie"))
        .singleElement()
        .asString()
        .startsWith("XSRF-TOKEN=")
        .contains("Secure");
    TestBrowser.Reply login = browser.login("ada");
    assertThat(login.headers().allValues("Set-Cookie"))
        .singleElement()
        .asString()
        .startsWith("sid=")
        .contains("Secure")
        .containsIgnoringCase("HttpOnly");
  }

  // ---------------------------------------------------------------- raw sockets

  private Socket connect(URI uri) throws IOException {
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    socket.setSoTimeout(30_000);
    sockets.add(socket);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads until the server closes the connection; false if it is still open after 30 s. */
  private static boolean readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      while (in.read(buffer) >= 0) {
        // whatever the server answers (408, 413, nothing) before it closes
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset by the server
    }
  }

  /** Reads a response head, or returns "" if the connection closes first. */
  private static String readHead(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    try {
      int c;
      while ((c = in.read()) >= 0) {
        head.append((char) c);
        if (head.toString().endsWith("\r\n\r\n")) {
          return head.toString();
        }
      }
    } catch (java.net.SocketException e) {
      return "";
    }
    return "";
  }
}
