package dev.sessionstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * A WebFlux application with Spring Security form login, on the starter, against a real store: what
 * a user of the starter gets. Subclasses choose the store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebFluxSessionTest {

  static final String COOKIE = "SESSION";

  ConfigurableApplicationContext context;
  WebTestClient client;
  SessionStore store;

  abstract String storeUri();

  /** Extra properties of the application. */
  List<String> properties() {
    return List.of();
  }

  @BeforeAll
  void start() {
    List<String> props = new ArrayList<>(properties());
    props.add("sessionstore.uri=" + storeUri());
    props.add("sessionstore.exclusive-login=true");
    context = ReactiveTestApp.start(props.toArray(String[]::new));
    client =
        WebTestClient.bindToApplicationContext(context)
            .configureClient()
            .responseTimeout(java.time.Duration.ofSeconds(30))
            .build();
    store = context.getBean(SessionStore.class);
  }

  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
  }

  /** Logs in; returns the login's status and the session cookie it set (null if none). */
  EntityExchangeResult<byte[]> login(String user, @Nullable String sessionId) {
    WebTestClient.RequestBodySpec request = client.post().uri("/login");
    if (sessionId != null) {
      request.cookie(COOKIE, sessionId);
    }
    return request
        .body(BodyInserters.fromFormData("username", user).with("password", "pw"))
        .exchange()
        .expectBody()
        .returnResult();
  }

  static @Nullable String sessionCookie(EntityExchangeResult<?> result) {
    ResponseCookie cookie = result.getResponseCookies().getFirst(COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }

  String loggedIn(String user) {
    EntityExchangeResult<byte[]> result = login(user, null);
    assertThat(result.getStatus()).as("login of %s", user).isEqualTo(HttpStatus.FOUND);
    assertThat(result.getResponseHeaders().getLocation()).hasToString("/");
    return sessionCookie(result);
  }

  @Nullable Session stored(String id) {
    return store.get(id).block();
  }

  @Test
  @DisplayName(
      "login changes the session id and keeps the data, the login survives, logout destroys")
  void loginLifecycle() {
    EntityExchangeResult<byte[]> visit =
        client
            .get()
            .uri("/public/visit")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .returnResult();
    String anonymous = sessionCookie(visit);
    assertThat(anonymous).isNotNull();
    assertThat(stored(anonymous).data().get("visits")).isEqualTo(1L);

    EntityExchangeResult<byte[]> login = login("ann", anonymous);
    assertThat(login.getStatus()).isEqualTo(HttpStatus.FOUND);
    String authenticated = sessionCookie(login);
    assertThat(authenticated).isNotNull().isNotEqualTo(anonymous);
    assertThat(stored(anonymous)).as("the pre-login id").isNull();
    Session session = stored(authenticated);
    assertThat(session.principal()).isEqualTo("ann");
    assertThat(session.exclusive()).isTrue();
    assertThat(session.data().get("visits")).as("data carried over").isEqualTo(1L);

    for (int i = 0; i < 3; i++) {
      client
          .get()
          .uri("/me")
          .cookie(COOKIE, authenticated)
          .exchange()
          .expectStatus()
          .isOk()
          .expectBody(String.class)
          .isEqualTo("ann");
    }
    assertThat(store.findByPrincipal("ann").map(Session::id).collectList().block())
        .containsExactly(authenticated);

    client.post().uri("/logout").cookie(COOKIE, authenticated).exchange().expectStatus().isFound();
    assertThat(stored(authenticated)).as("destroyed by logout").isNull();
    assertThat(store.findByPrincipal("ann").collectList().block()).isEmpty();
    client
        .get()
        .uri("/me")
        .cookie(COOKIE, authenticated)
        .exchange()
        .expectStatus()
        .isFound(); // to the login page
  }

  @Test
  @DisplayName("a request racing with logout cannot bring the session back")
  void requestInFlightDuringLogout() throws Exception {
    String id = loggedIn("ben");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    ReactiveTestApp.gates.put("ben", new CountDownLatch[] {entered, gate});
    CompletableFuture<HttpStatus> slow =
        CompletableFuture.supplyAsync(
            () ->
                (HttpStatus)
                    client
                        .post()
                        .uri("/slow?gate=ben")
                        .cookie(COOKIE, id)
                        .exchange()
                        .expectBody()
                        .returnResult()
                        .getStatus());
    assertThat(entered.await(30, TimeUnit.SECONDS)).as("the slow request is in flight").isTrue();

    client.post().uri("/logout").cookie(COOKIE, id).exchange().expectStatus().isFound();
    assertThat(stored(id)).isNull();
    gate.countDown();
    assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(HttpStatus.OK);

    assertThat(stored(id)).as("the in-flight request's save did not revive the session").isNull();
    assertThat(store.findByPrincipal("ben").collectList().block()).isEmpty();
    assertThat(store.all().filter(s -> s.data().containsKey("late")).collectList().block())
        .as("the late write went nowhere")
        .isEmpty();
  }

  @Test
  @DisplayName("an exclusive login is refused with 409 while the user's first session lives")
  void exclusiveLogin() {
    String first = loggedIn("cat");

    EntityExchangeResult<byte[]> second = login("cat", null);
    assertThat(second.getStatus()).as("second browser").isEqualTo(HttpStatus.CONFLICT);
    String secondId = sessionCookie(second);
    if (secondId != null) {
      client.get().uri("/me").cookie(COOKIE, secondId).exchange().expectStatus().isFound();
    }
    assertThat(store.findByPrincipal("cat").map(Session::id).collectList().block())
        .containsExactly(first);
    client.get().uri("/me").cookie(COOKIE, first).exchange().expectStatus().isOk();

    client.post().uri("/logout").cookie(COOKIE, first).exchange().expectStatus().isFound();
    String third = loggedIn("cat");
    client
        .get()
        .uri("/me")
        .cookie(COOKIE, third)
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody(String.class)
        .isEqualTo("cat");
  }

  @Test
  @DisplayName("8 requests setting their own attribute 100 times and a 9th counting: nothing lost")
  void concurrentRequestsOfOneSession() throws Exception {
    String id = loggedIn("dan");
    Map<String, Object> attributes = ConcurrencyWorkload.run(client, COOKIE, id);
    for (int w = 0; w < ConcurrencyWorkload.WRITERS; w++) {
      assertThat(((Number) attributes.get("w" + w)).longValue())
          .as("writer %d's last value", w)
          .isEqualTo(ConcurrencyWorkload.ROUNDS);
    }
    assertThat(((Number) attributes.get("counter")).longValue())
        .as("the counter")
        .isEqualTo(ConcurrencyWorkload.ROUNDS);
  }
}
