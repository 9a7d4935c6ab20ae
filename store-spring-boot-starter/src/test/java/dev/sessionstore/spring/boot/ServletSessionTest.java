package dev.sessionstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionStore;
import jakarta.servlet.Filter;
import jakarta.servlet.http.Cookie;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.session.web.http.SessionRepositoryFilter;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * A Spring MVC application with Spring Security form login, on the starter, through Spring
 * Session's {@code SessionRepositoryFilter}, against a real store. Subclasses choose the store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServletSessionTest {

  static final String COOKIE = "SESSION";

  ConfigurableApplicationContext context;
  MockMvc mvc;
  SessionStore store;

  abstract String storeUri();

  @BeforeAll
  void start() {
    context = ServletTestApp.start("sessionstore.uri=" + storeUri());
    mvc =
        MockMvcBuilders.webAppContextSetup(
                (org.springframework.web.context.WebApplicationContext) context)
            .addFilters(
                context.getBean(SessionRepositoryFilter.class),
                context.getBean("springSecurityFilterChain", Filter.class))
            .build();
    store = context.getBean(SessionStore.class);
  }

  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
  }

  MockHttpServletResponse perform(MockHttpServletRequestBuilder request, @Nullable String sessionId)
      throws Exception {
    if (sessionId != null) {
      request.cookie(
          new Cookie(
              COOKIE,
              Base64.getEncoder().encodeToString(sessionId.getBytes(StandardCharsets.UTF_8))));
    }
    return mvc.perform(request).andReturn().getResponse();
  }

  /** The session id in the response's cookie (Spring Session encodes it in Base64), or null. */
  static @Nullable String sessionCookie(MockHttpServletResponse response) {
    Cookie cookie = response.getCookie(COOKIE);
    if (cookie == null || cookie.getValue().isEmpty()) {
      return null;
    }
    return new String(Base64.getDecoder().decode(cookie.getValue()), StandardCharsets.UTF_8);
  }

  MockHttpServletResponse login(String user, @Nullable String sessionId) throws Exception {
    return perform(
        MockMvcRequestBuilders.post("/login").param("username", user).param("password", "pw"),
        sessionId);
  }

  String loggedIn(String user) throws Exception {
    MockHttpServletResponse response = login(user, null);
    assertThat(response.getStatus()).as("login of %s", user).isEqualTo(302);
    String id = sessionCookie(response);
    assertThat(id).isNotNull();
    return id;
  }

  @Nullable Session stored(String id) {
    return store.get(id).block();
  }

  @Test
  @DisplayName(
      "login changes the session id and keeps the data, the login survives, logout destroys")
  void loginLifecycle() throws Exception {
    MockHttpServletResponse visit = perform(MockMvcRequestBuilders.get("/public/visit"), null);
    assertThat(visit.getStatus()).isEqualTo(200);
    String anonymous = sessionCookie(visit);
    assertThat(stored(anonymous).data().get("visits")).isEqualTo(1L);

    MockHttpServletResponse login = login("amy", anonymous);
    assertThat(login.getStatus()).isEqualTo(302);
    String authenticated = sessionCookie(login);
    assertThat(authenticated).isNotNull().isNotEqualTo(anonymous);
    assertThat(stored(anonymous)).as("the pre-login id").isNull();
    Session session = stored(authenticated);
    assertThat(session.principal()).isEqualTo("amy");
    assertThat(session.exclusive()).isTrue();
    assertThat(session.data().get("visits")).as("data carried over").isEqualTo(1L);

    for (int i = 0; i < 3; i++) {
      MockHttpServletResponse me = perform(MockMvcRequestBuilders.get("/me"), authenticated);
      assertThat(me.getStatus()).isEqualTo(200);
      assertThat(me.getContentAsString()).isEqualTo("amy");
    }

    assertThat(perform(MockMvcRequestBuilders.post("/logout"), authenticated).getStatus())
        .isEqualTo(204);
    assertThat(stored(authenticated)).as("destroyed by logout").isNull();
    assertThat(store.findByPrincipal("amy").collectList().block()).isEmpty();
    assertThat(perform(MockMvcRequestBuilders.get("/me"), authenticated).getStatus())
        .isNotEqualTo(200);
  }

  @Test
  @DisplayName("a request racing with logout cannot bring the session back")
  void requestInFlightDuringLogout() throws Exception {
    String id = loggedIn("bob");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    ReactiveTestApp.gates.put("servlet-bob", new CountDownLatch[] {entered, gate});
    CompletableFuture<Integer> slow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return perform(
                        MockMvcRequestBuilders.post("/slow").param("gate", "servlet-bob"), id)
                    .getStatus();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(entered.await(30, TimeUnit.SECONDS)).as("the slow request is in flight").isTrue();

    assertThat(perform(MockMvcRequestBuilders.post("/logout"), id).getStatus()).isEqualTo(204);
    assertThat(stored(id)).isNull();
    gate.countDown();
    assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(200);

    assertThat(stored(id)).as("the in-flight request's save did not revive the session").isNull();
    assertThat(store.findByPrincipal("bob").collectList().block()).isEmpty();
    assertThat(store.all().filter(s -> s.data().containsKey("late")).collectList().block())
        .isEmpty();
  }

  @Test
  @DisplayName("an exclusive login is refused with 409 while the user's first session lives")
  void exclusiveLogin() throws Exception {
    String first = loggedIn("cid");

    MockHttpServletResponse second = login("cid", null);
    assertThat(second.getStatus()).as("second browser").isEqualTo(409);
    assertThat(store.findByPrincipal("cid").map(Session::id).collectList().block())
        .containsExactly(first);
    assertThat(perform(MockMvcRequestBuilders.get("/me"), first).getStatus()).isEqualTo(200);

    assertThat(perform(MockMvcRequestBuilders.post("/logout"), first).getStatus()).isEqualTo(204);
    String third = loggedIn("cid");
    MockHttpServletResponse me = perform(MockMvcRequestBuilders.get("/me"), third);
    assertThat(me.getStatus()).isEqualTo(200);
    assertThat(me.getContentAsString()).isEqualTo("cid");
  }

  @Test
  @DisplayName("8 requests setting their own attribute 100 times and a 9th counting: nothing lost")
  void concurrentRequestsOfOneSession() throws Exception {
    String id = loggedIn("dot");
    List<CompletableFuture<Void>> tasks = new ArrayList<>();
    for (int w = 0; w < ConcurrencyWorkload.WRITERS; w++) {
      String name = "w" + w;
      tasks.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 1; i <= ConcurrencyWorkload.ROUNDS; i++) {
                  check(
                      MockMvcRequestBuilders.post("/attr")
                          .param("name", name)
                          .param("value", "" + i),
                      id);
                }
              },
              ConcurrencyWorkload.POOL));
    }
    tasks.add(
        CompletableFuture.runAsync(
            () -> {
              for (int i = 1; i <= ConcurrencyWorkload.ROUNDS; i++) {
                check(MockMvcRequestBuilders.post("/count"), id);
              }
            },
            ConcurrencyWorkload.POOL));
    CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

    Session session = stored(id);
    for (int w = 0; w < ConcurrencyWorkload.WRITERS; w++) {
      assertThat(session.data().get("w" + w))
          .as("writer %d's last value", w)
          .isEqualTo((long) ConcurrencyWorkload.ROUNDS);
    }
    assertThat(session.data().get("counter")).isEqualTo((long) ConcurrencyWorkload.ROUNDS);
  }

  private void check(MockHttpServletRequestBuilder request, String id) {
    try {
      assertThat(perform(request, id).getStatus()).isEqualTo(200);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
