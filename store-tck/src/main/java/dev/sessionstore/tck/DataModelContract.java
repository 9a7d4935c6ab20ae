package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.data;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.InvalidSessionDataException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionTooLargeException;
import dev.sessionstore.StoreOptions;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;

/**
 * Rules R6.1 to R6.3: the value model, hostile keys and the size limit. Part of {@link
 * SessionStoreTck}; adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface DataModelContract {

  /** The size limit the oversize tests give the store: 16 KiB. */
  long SMALL_LIMIT = 16 * 1024;

  /**
   * Checks that every allowed value type round-trips with its type and extremes.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R6.1 every allowed value type round-trips with its exact type, including extremes")
  default void r6_1_valueTypes(StoreFixture kit) {
    SessionStore store = kit.store();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("null", null);
    values.put("true", true);
    values.put("false", false);
    values.put("long max", Long.MAX_VALUE);
    values.put("long min", Long.MIN_VALUE);
    values.put("long 2^53+1", (1L << 53) + 1);
    values.put("zero long", 0L);
    values.put("zero double", 0.0);
    values.put("negative zero", -0.0);
    values.put("pi", Math.PI);
    values.put("double max", Double.MAX_VALUE);
    values.put("double min", Double.MIN_VALUE);
    values.put("NaN", Double.NaN);
    values.put("infinity", Double.POSITIVE_INFINITY);
    values.put("-infinity", Double.NEGATIVE_INFINITY);
    values.put("one as double", 1.0);
    values.put("one as string", "1");
    values.put("empty string", "");
    values.put("text", "tab\t nul\0 quote\" backslash\\ é 日本 😀 \uFFFF");
    values.put("epoch", Instant.EPOCH);
    values.put("before epoch", Instant.parse("1969-12-31T23:59:59.999Z"));
    values.put("year 9999", Instant.parse("9999-12-31T23:59:59.999Z"));
    values.put("empty list", List.of());
    values.put("empty map", Map.of());
    values.put(
        "mixed list",
        java.util.Arrays.asList(
            1L, 1.0, "1", true, null, Instant.EPOCH, List.of(2L), Map.of("k", 3L)));
    SessionData data = SessionData.of(values);
    Session created =
        awaitValue(store.create(SessionDraft.of(data).withMaxIdle(Duration.ofHours(1))), "create");
    Session read = awaitValue(store.get(created.id()), "get");
    Kit.sameData(read.data(), data, "data read back");
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      Object back = read.attribute(entry.getKey());
      if (entry.getValue() == null) {
        assertThat(read.data().containsKey(entry.getKey()))
            .as("null attribute '%s' is kept", entry.getKey())
            .isTrue();
        assertThat(back).as("null attribute").isNull();
      } else {
        assertThat(back).as("attribute '%s'", entry.getKey()).isEqualTo(entry.getValue());
        assertThat(kindOf(back))
            .as("kind of attribute '%s'", entry.getKey())
            .isEqualTo(kindOf(entry.getValue()));
      }
    }
  }

  /** The value kind of the data model, so that a Long read back as a Double is caught. */
  private static String kindOf(Object value) {
    if (value instanceof List) {
      return "list";
    }
    if (value instanceof Map) {
      return "map";
    }
    return value.getClass().getSimpleName();
  }

  /**
   * Checks normalisation of narrower types on the way in and their types on the way out.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R6.1 Integer, Short and Byte come back as Long, Float as Double, Instant at millisecond precision")
  default void r6_1_normalisation(StoreFixture kit) {
    SessionStore store = kit.store();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("int", 7);
    values.put("short", (short) -3);
    values.put("byte", (byte) 127);
    values.put("float", 1.5f);
    values.put("instant", Instant.parse("2024-05-06T07:08:09.123456789Z"));
    values.put("nested", Map.of("ints", List.of(1, 2, 3), "f", 0.25f));
    Session created =
        awaitValue(
            store.create(SessionDraft.of(SessionData.of(values)).withMaxIdle(Duration.ofHours(1))),
            "create");
    Session read = awaitValue(store.get(created.id()), "get");
    assertThat(read.attribute("int"))
        .as("Integer read back")
        .isInstanceOf(Long.class)
        .isEqualTo(7L);
    assertThat(read.attribute("short"))
        .as("Short read back")
        .isInstanceOf(Long.class)
        .isEqualTo(-3L);
    assertThat(read.attribute("byte"))
        .as("Byte read back")
        .isInstanceOf(Long.class)
        .isEqualTo(127L);
    assertThat(read.attribute("float"))
        .as("Float read back")
        .isInstanceOf(Double.class)
        .isEqualTo(1.5);
    assertThat(read.attribute("instant"))
        .as("Instant read back")
        .isEqualTo(Instant.parse("2024-05-06T07:08:09.123Z"));
    assertThat(read.attribute("nested"))
        .as("nested values read back")
        .isEqualTo(Map.of("ints", List.of(1L, 2L, 3L), "f", 0.25));
    Session updated =
        awaitValue(
            store.update(created.id(), x -> x.withAttribute("int", 8)), "update with an Integer");
    assertThat(awaitValue(store.get(updated.id()), "get").attribute("int"))
        .as("Integer written by update")
        .isInstanceOf(Long.class)
        .isEqualTo(8L);
  }

  /**
   * Checks nesting up to the maximum depth.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R6.1 values nested to the maximum depth round-trip; one level deeper is rejected and nothing is written")
  default void r6_1_depth(StoreFixture kit) {
    SessionStore store = kit.store();
    Object deepMap = "bottom";
    Object deepList = "bottom";
    for (int i = 0; i < SessionData.MAX_DEPTH; i++) {
      deepMap = Map.of("level" + i, deepMap);
      deepList = List.of(deepList, (long) i);
    }
    SessionData data = data("deepMap", deepMap, "deepList", deepList);
    Session created =
        awaitValue(store.create(SessionDraft.of(data).withMaxIdle(Duration.ofHours(1))), "create");
    assertThat(awaitValue(store.get(created.id()), "get").data())
        .as("data nested " + SessionData.MAX_DEPTH + " deep")
        .isEqualTo(data);
    Object tooDeep = List.of(deepMap);
    InvalidSessionDataException e =
        expectError(
            store.update(created.id(), x -> x.withAttribute("tooDeep", tooDeep)),
            InvalidSessionDataException.class,
            "update adding a value nested one level too deep");
    assertThat(e.path()).as("path named by the error").startsWith("tooDeep");
    Session read = awaitValue(store.get(created.id()), "get");
    assertThat(read.version()).as("version after the rejected update").isEqualTo(1L);
    Kit.sameData(read.data(), data, "data after the rejected update");
  }

  /**
   * Checks that unsupported types are rejected naming the path, and that nothing is written.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R6.1 unsupported types fail with InvalidSessionDataException naming the path, and nothing is written")
  default void r6_1_unsupportedTypes(StoreFixture kit) {
    SessionStore store = kit.store();
    Session created =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "answers", List.of(Map.of("q.1", "a")))),
            "create");
    List<Object> unsupported =
        List.of(
            new Object(),
            UUID.randomUUID(),
            new BigDecimal("1.5"),
            new int[] {1},
            new Date(),
            'c',
            Optional.empty(),
            new StringBuilder("sb"),
            Duration.ofSeconds(1),
            Thread.State.NEW);
    for (Object value : unsupported) {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("q.1", value);
      List<Object> answers = new ArrayList<>();
      answers.add(Map.of("q.0", "fine"));
      answers.add(answer);
      UnaryOperator<Session> change = x -> x.withAttribute("answers", answers);
      InvalidSessionDataException e =
          expectError(
              store.update(created.id(), change),
              InvalidSessionDataException.class,
              "update storing a " + value.getClass().getName());
      assertThat(e.path())
          .as("path named for a " + value.getClass().getSimpleName())
          .isEqualTo("answers[1][\"q.1\"]");
      assertThat(e.getMessage())
          .as("message for a " + value.getClass().getSimpleName())
          .contains("answers[1]");
    }
    Map<Object, Object> badKey = new LinkedHashMap<>();
    badKey.put(42, "value");
    expectError(
        store.update(created.id(), x -> x.withAttribute("map", badKey)),
        InvalidSessionDataException.class,
        "update storing a map with a non-string key");
    assertThatThrownBy(() -> SessionData.of(Map.of("a", Map.of("b", new Object()))))
        .as("SessionData.of with an unsupported nested value")
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("a[\"b\"]");
    Session read = awaitValue(store.get(created.id()), "get");
    assertThat(read.version()).as("version after rejected updates").isEqualTo(1L);
    Kit.sameData(read.data(), created.data(), "data after rejected updates");
  }

  /**
   * Checks hostile attribute names.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R6.2 hostile attribute names round-trip exactly: every atom alone, repeated and in every pair")
  default void r6_2_hostileAttributeNames(StoreFixture kit) {
    SessionStore store = kit.store();
    SessionData data = HostileKeys.asAttributeNames();
    Session created =
        awaitValue(store.create(SessionDraft.of(data).withMaxIdle(Duration.ofHours(1))), "create");
    Session read = awaitValue(store.get(created.id()), "get");
    assertThat(read.data().keys())
        .as("attribute names read back")
        .containsExactlyInAnyOrderElementsOf(data.keys());
    Kit.sameData(read.data(), data, "attributes read back");
    Session updated =
        awaitValue(
            store.update(
                created.id(), x -> x.withAttribute("%2E", "changed").withoutAttribute("\\u002e")),
            "update of hostile names");
    Session again = awaitValue(store.get(created.id()), "get after update");
    Kit.sameData(again.data(), updated.data(), "data after update of hostile names");
    assertThat(again.attribute("."))
        .as("'.' after changing '%2E' and removing '\\u002e'")
        .isEqualTo(data.get("."));
    assertThat(again.data().containsKey("\\u002e")).as("'\\u002e' was removed").isFalse();
  }

  /**
   * Checks hostile keys at every depth, in maps and lists.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R6.2 hostile keys round-trip exactly at every nesting depth, in maps and in lists")
  default void r6_2_hostileKeysAtEveryDepth(StoreFixture kit) {
    SessionStore store = kit.store();
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("chain", HostileKeys.chain(SessionData.MAX_DEPTH));
    attributes.put("pairs", HostileKeys.numbered(HostileKeys.all(), 0));
    attributes.put("lists", HostileKeys.nestedList(SessionData.MAX_DEPTH));
    attributes.put(".", Map.of("$", Map.of("\0", List.of(Map.of("", "empty key at depth 4")))));
    SessionData data = SessionData.of(attributes);
    Session created =
        awaitValue(store.create(SessionDraft.of(data).withMaxIdle(Duration.ofHours(1))), "create");
    Session read = awaitValue(store.get(created.id()), "get");
    Object chain = read.attribute("chain");
    for (int depth = SessionData.MAX_DEPTH; depth >= 1; depth--) {
      assertThat(chain)
          .as("level %d of the chain", SessionData.MAX_DEPTH - depth + 1)
          .isInstanceOf(Map.class);
      @SuppressWarnings("unchecked")
      Map<String, Object> level = (Map<String, Object>) chain;
      assertThat(level.keySet())
          .as("keys at level %d", SessionData.MAX_DEPTH - depth + 1)
          .containsAll(HostileKeys.singles());
      chain = level.get(HostileKeys.childKey(depth));
    }
    Kit.sameData(read.data(), data, "nested hostile keys read back");
  }

  /**
   * Checks the size limit on every write, and that a rejected write changes nothing.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R6.3 a session over the size limit fails with SessionTooLargeException and the stored version is unchanged")
  default void r6_3_oversize(StoreFixture kit) {
    SessionStore store = kit.open(o -> o.with(StoreOptions.MAX_SESSION_BYTES, SMALL_LIMIT));
    String big = "x".repeat(4 * (int) SMALL_LIMIT);
    SessionTooLargeException e =
        expectError(
            store.create(draft(Duration.ofHours(1), "big", big)),
            SessionTooLargeException.class,
            "create of a 64 KiB session with a 16 KiB limit");
    assertThat(e.limit()).as("limit named by the error").isEqualTo(SMALL_LIMIT);
    assertThat(e.size()).as("size named by the error").isGreaterThan(SMALL_LIMIT);
    assertThat(await(store.count(), "count")).as("count after the rejected create").isZero();

    Session small =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "small", "y".repeat(4096))),
            "create of a 4 KiB session");
    expectError(
        store.save(small.withAttribute("big", big)),
        SessionTooLargeException.class,
        "save over the limit");
    expectError(
        store.saveIfUnchanged(small.withAttribute("big", big)),
        SessionTooLargeException.class,
        "saveIfUnchanged over the limit");
    expectError(
        store.update(small.id(), x -> x.withAttribute("big", big)),
        SessionTooLargeException.class,
        "update over the limit");
    Map<String, Object> many = new LinkedHashMap<>();
    for (int i = 0; i < 2000; i++) {
      many.put("attribute-" + i, "value-" + i);
    }
    expectError(
        store.update(small.id(), x -> x.withData(SessionData.of(many))),
        SessionTooLargeException.class,
        "update to 2000 small attributes over the limit in total");
    Session read = awaitValue(store.get(small.id()), "get");
    assertThat(read.version()).as("version after rejected writes").isEqualTo(1L);
    Kit.sameData(read.data(), small.data(), "data after rejected writes");
    Session fine =
        awaitValue(
            store.update(small.id(), x -> x.withAttribute("more", "z".repeat(4096))),
            "update to 8 KiB, under the limit");
    assertThat(fine.version()).as("version after an accepted update").isEqualTo(2L);
  }

  /**
   * Checks the default limit of 1 MiB.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R6.3 the default limit accepts 512 KiB and rejects 2 MiB")
  default void r6_3_defaultLimit(StoreFixture kit) {
    SessionStore store = kit.store();
    Session half =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "half", "h".repeat(512 * 1024))),
            "create of a 512 KiB session");
    expectError(
        store.save(half.withAttribute("more", "m".repeat(2 * 1024 * 1024))),
        SessionTooLargeException.class,
        "save of a 2.5 MiB session with the default limit");
    assertThat(awaitValue(store.get(half.id()), "get").version())
        .as("version after the rejected save")
        .isEqualTo(1L);
  }

  /**
   * Checks that look-alikes of escaped characters never collide with them.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R6.2 look-alikes of escaped characters (U+FF0E, U+FF04, U+2024, ...) never collide with them, as names and nested keys")
  default void r6_2_lookAlikesNeverCollide(StoreFixture kit) {
    SessionStore store = kit.store();
    Map<String, Object> keys = HostileKeys.lookAlikes();
    Map<String, Object> attributes = new LinkedHashMap<>(keys);
    attributes.put("nested", Map.of("inner", keys, "list", List.of(keys)));
    SessionData data = SessionData.of(attributes);
    Session created =
        awaitValue(store.create(SessionDraft.of(data).withMaxIdle(Duration.ofHours(1))), "create");
    Session read = awaitValue(store.get(created.id()), "get");
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Object> e : keys.entrySet()) {
      Object back = read.data().get(e.getKey());
      if (!e.getValue().equals(back)) {
        problems.add(
            "attribute "
                + HostileKeys.escaped(e.getKey())
                + " read back as "
                + back
                + ", written as "
                + e.getValue());
      }
    }
    if (problems.isEmpty()) {
      for (String key : read.data().keys()) {
        if (!attributes.containsKey(key)) {
          problems.add("an attribute " + HostileKeys.escaped(key) + " that was never written");
        }
      }
    }
    assertThat(problems)
        .as("look-alike attribute names changed by the round trip (%d names)", keys.size())
        .isEmpty();
    Kit.sameData(read.data(), data, "data with look-alike keys read back, nested keys included");
  }

  /**
   * Checks that strings with unpaired surrogates are refused and nothing is written.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R6.1 strings with unpaired surrogates are refused: keys and values by SessionData, principals with IllegalArgumentException")
  default void r6_1_unpairedSurrogatesRefused(StoreFixture kit) {
    SessionStore store = kit.store();
    assertThatThrownBy(() -> SessionData.of(Map.of("high\uD800", 1L)))
        .as("a key with an unpaired high surrogate")
        .isInstanceOf(InvalidSessionDataException.class);
    assertThatThrownBy(
            () -> SessionData.of(Map.of("k", Map.of("inner", List.of("ok", "low\uDC00")))))
        .as("a nested value with an unpaired low surrogate")
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("k[\"inner\"][1]");
    assertThatThrownBy(() -> SessionDraft.empty().withPrincipal("\uDBFFalice", false))
        .as("a principal with an unpaired surrogate")
        .isInstanceOf(IllegalArgumentException.class);
    Session s =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "v").withPrincipal("alice", false)),
            "create");
    Throwable update =
        Kit.awaitError(
            store.update(s.id(), x -> x.withAttribute("k", "broken\uD800")),
            "update writing a value with an unpaired surrogate");
    assertThat(update).as("error of that update").isInstanceOf(InvalidSessionDataException.class);
    Throwable find =
        Kit.awaitError(
            store.findByPrincipal("ali\uDC00ce").collectList(),
            "findByPrincipal with an unpaired surrogate");
    assertThat(find)
        .as("error of findByPrincipal with an unpaired surrogate (signalled, not thrown)")
        .isInstanceOf(IllegalArgumentException.class);
    Session read = awaitValue(store.get(s.id()), "get");
    assertThat(read.version()).as("version after the refused update").isEqualTo(1L);
    assertThat(read.attribute("k")).as("value after the refused update").isEqualTo("v");
    assertThat(Kit.ids(store.findByPrincipal("alice"), "findByPrincipal")).containsExactly(s.id());
  }
}
