package dev.sessionstore.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sessionstore.Session;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;
import org.springframework.session.FindByIndexNameSessionRepository;

/**
 * The repositories' mapping onto a store, request by request: a "request" loads a working copy with
 * {@code findById}, changes it and saves it, as Spring's session filters do. Subclasses choose the
 * store.
 */
abstract class RepositoryContractTest {

  SessionStore store;
  ReactiveSessionStoreRepository repository;

  abstract String storeUri();

  @BeforeEach
  void open() {
    store = SessionStores.open(storeUri());
    repository = new ReactiveSessionStoreRepository(store);
    repository.setAttributeCodec(
        JacksonAttributeCodec.withSpringSecurity(getClass().getClassLoader()));
  }

  @AfterEach
  void close() {
    store.close();
  }

  StoreSession newSession(Map<String, Object> attributes) {
    StoreSession session = repository.createSession().block();
    attributes.forEach(session::setAttribute);
    repository.save(session).block();
    return session;
  }

  StoreSession load(String id) {
    return repository.findById(id).block();
  }

  @Nullable Session stored(String id) {
    return store.get(id).block();
  }

  @Test
  @DisplayName("a save writes only the attributes its request changed")
  void deltas() {
    String id = newSession(Map.of("a", 1L, "b", 2L)).getId();
    StoreSession first = load(id);
    StoreSession second = load(id);
    first.setAttribute("x", "from first");
    first.removeAttribute("a");
    second.setAttribute("y", "from second");
    repository.save(first).block();
    repository.save(second).block();

    assertThat(stored(id).data().asMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("b", 2L, "x", "from first", "y", "from second"));
    assertThat(stored(id).version()).as("one write per save").isEqualTo(3);
  }

  @Test
  @DisplayName("two requests setting one attribute: the last save wins, for that attribute only")
  void sameAttributeLastWriterWins() {
    String id = newSession(Map.of("k", "initial", "other", "kept")).getId();
    StoreSession first = load(id);
    StoreSession second = load(id);
    first.setAttribute("k", "one");
    second.setAttribute("k", "two");
    repository.save(second).block();
    repository.save(first).block();
    assertThat(stored(id).data().asMap()).containsEntry("k", "one").containsEntry("other", "kept");
  }

  @Test
  @DisplayName("a save without changes writes nothing")
  void unchangedSaveWritesNothing() {
    String id = newSession(Map.of("a", 1L)).getId();
    StoreSession copy = load(id);
    assertThat((Long) copy.getAttribute("a")).isEqualTo(1L);
    repository.save(copy).block();
    assertThat(stored(id).version()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "JSON-like values are stored as they are; others go through the codec and read back typed")
  void values() {
    Instant instant = Instant.parse("2026-01-02T03:04:05.678Z");
    Map<String, Object> plain = new LinkedHashMap<>();
    plain.put("string", "text");
    plain.put("long", 42L);
    plain.put("double", 1.5);
    plain.put("boolean", true);
    plain.put("instant", instant);
    plain.put("list", List.of("a", 1L));
    plain.put("map", Map.of("nested", List.of(true)));
    SecurityContext context =
        new SecurityContextImpl(
            UsernamePasswordAuthenticationToken.authenticated(
                User.withUsername("zoe").password("secret").roles("USER").build(),
                null,
                AuthorityUtils.createAuthorityList("ROLE_USER")));
    Map<String, Object> all = new LinkedHashMap<>(plain);
    all.put("integer", 7);
    all.put("SPRING_SECURITY_CONTEXT", context);
    String id = newSession(all).getId();

    Session session = stored(id);
    assertThat(session.data().asMap()).containsAllEntriesOf(plain);
    assertThat(session.data().get("integer"))
        .as("stored encoded")
        .isEqualTo(Map.of(AttributeValues.ENCODED, "7"));
    assertThat(session.data().get("SPRING_SECURITY_CONTEXT"))
        .asString()
        .contains("zoe")
        .doesNotContain("rO0"); // never Java serialization
    assertThat(session.principal()).as("the principal index").isEqualTo("zoe");

    StoreSession copy = load(id);
    for (Map.Entry<String, Object> entry : plain.entrySet()) {
      assertThat((Object) copy.getAttribute(entry.getKey())).isEqualTo(entry.getValue());
    }
    assertThat((Object) copy.getAttribute("integer")).isInstanceOf(Integer.class).isEqualTo(7);
    SecurityContext read = copy.getAttribute("SPRING_SECURITY_CONTEXT");
    assertThat(read.getAuthentication().getName()).isEqualTo("zoe");
    assertThat(read.getAuthentication().getAuthorities())
        .extracting(Object::toString)
        .containsExactly("ROLE_USER");
  }

  @Test
  @DisplayName(
      "without a codec, a value outside the data model is refused with its attribute named")
  void refusingCodec() {
    repository.setAttributeCodec(AttributeCodec.refusing());
    StoreSession session = repository.createSession().block();
    session.setAttribute("cart", new StringBuilder("x"));
    assertThatThrownBy(() -> repository.save(session).block())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cart'")
        .hasMessageContaining("java.lang.StringBuilder");
    assertThat(stored(session.getId())).as("nothing written").isNull();
  }

  @Test
  @DisplayName("deleteById destroys: a request that loaded the session before cannot write it back")
  void destroyWins() {
    String id = newSession(Map.of("a", 1L)).getId();
    StoreSession inFlight = load(id);
    repository.deleteById(id).block();
    inFlight.setAttribute("late", "write");
    repository.save(inFlight).block();
    assertThat(stored(id)).isNull();
    assertThat(repository.findById(id).block()).isNull();
    assertThat(inFlight.isExpired()).as("the working copy knows it is gone").isTrue();
  }

  @Test
  @DisplayName("changeSessionId moves the session to a new id from the store; the old id is gone")
  void changeSessionId() {
    String id = newSession(Map.of("a", 1L)).getId();
    StoreSession copy = load(id);
    copy.changeSessionId();
    copy.setAttribute("b", 2L);
    repository.save(copy).block();
    String moved = copy.getId();
    assertThat(moved).isNotEqualTo(id);
    assertThat(stored(id)).isNull();
    assertThat(stored(moved).data().asMap()).containsEntry("a", 1L).containsEntry("b", 2L);

    SessionStoreRepository servlet = new SessionStoreRepository(store);
    StoreSession servletCopy = servlet.findById(moved);
    String third = servletCopy.changeSessionId();
    assertThat(third).as("the servlet repository moves at once").isNotEqualTo(moved);
    assertThat(stored(moved)).isNull();
    assertThat(stored(third)).isNotNull();
  }

  @Test
  @DisplayName("maxInactiveInterval is the store's maxIdle")
  void maxInactiveInterval() {
    repository.setDefaultMaxInactiveInterval(Duration.ofMinutes(20));
    StoreSession session = newSession(Map.of("a", 1L));
    assertThat(stored(session.getId()).maxIdle()).isEqualTo(Duration.ofMinutes(20));
    StoreSession copy = load(session.getId());
    assertThat(copy.getMaxInactiveInterval()).isEqualTo(Duration.ofMinutes(20));
    copy.setMaxInactiveInterval(Duration.ofSeconds(90));
    repository.save(copy).block();
    assertThat(stored(session.getId()).maxIdle()).isEqualTo(Duration.ofSeconds(90));
    StoreSession again = load(session.getId());
    again.setMaxInactiveInterval(Duration.ZERO);
    repository.save(again).block();
    assertThat(stored(session.getId()).maxIdle()).as("never idles out").isNull();
  }

  @Test
  @DisplayName("the principal-name index is the store's principal")
  void principalIndex() {
    String id =
        newSession(Map.of(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "uma"))
            .getId();
    newSession(Map.of("a", 1L));
    assertThat(repository.findByPrincipalName("uma").block()).containsOnlyKeys(id);
    assertThat(repository.findByIndexNameAndIndexValue("other", "uma").block()).isEmpty();
    StoreSession copy = load(id);
    copy.removeAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME);
    repository.save(copy).block();
    assertThat(repository.findByPrincipalName("uma").block()).isEmpty();
  }

  @Test
  @DisplayName("an exclusive login refuses a second session of the user and leaves it unchanged")
  void exclusiveLogin() {
    Map<String, Object> login =
        Map.of(
            FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME,
            "vic",
            StoreSession.EXCLUSIVE_ATTRIBUTE,
            true);
    String first = newSession(login).getId();
    String other = newSession(Map.of("cart", "book")).getId();

    StoreSession second = load(other);
    login.forEach(second::setAttribute);
    assertThatThrownBy(() -> repository.save(second).block())
        .isInstanceOf(ExclusiveLoginException.class)
        .hasMessageContaining("'vic'");
    assertThat(second.getAttributeNames())
        .as("the request's changes are dropped")
        .containsExactly("cart");
    repository.save(second).block(); // the save at the end of the request writes nothing
    assertThat(stored(other).principal()).isNull();
    assertThat(stored(other).version()).isEqualTo(1);

    repository.deleteById(first).block();
    login.forEach(second::setAttribute);
    repository.save(second).block();
    assertThat(stored(other).principal()).isEqualTo("vic");
    assertThat(stored(other).exclusive()).isTrue();
  }

  @Test
  @DisplayName("8 requests setting their own attribute 100 times and a 9th counting: nothing lost")
  void concurrentRequests() throws Exception {
    String id = newSession(Map.of()).getId();
    LostUpdates.Result result = LostUpdates.run(repository, id);
    assertThat(result.lost()).as(result.toString()).isZero();
  }

  static @Nullable InetSocketAddress mongo;

  static synchronized String mongoUri() {
    if (mongo == null) {
      MongoServer server = new MongoServer(new MemoryBackend());
      mongo = server.bind();
      Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    }
    return "mongodb://127.0.0.1:" + mongo.getPort() + "/spring?collection=c" + System.nanoTime();
  }
}
