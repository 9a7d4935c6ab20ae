package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.data;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectEmpty;
import static dev.sessionstore.tck.Kit.expectError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StaleSessionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;

/**
 * Rules R2.1 to R2.5: reading and writing one session, versions and compare-and-set, and the
 * sequential semantics of {@code update} (its concurrent semantics are in {@link
 * ConcurrencyContract}). Part of {@link SessionStoreTck}; adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface ReadWriteContract {

  /**
   * Checks that save then get returns equal data, deeply.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.1 save then get returns equal data, deeply")
  default void r2_1_saveThenGet(StoreFixture kit) {
    SessionStore store = kit.store();
    Session created = awaitValue(store.create(draft(Duration.ofHours(1), "a", 1)), "create");
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("list", List.of(1L, "two", 3.5, true, List.of(), Map.of()));
    nested.put("when", Instant.parse("2024-02-29T12:34:56.789Z"));
    nested.put("nothing", null);
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("user", "alice");
    attributes.put("answers", nested);
    attributes.put("count", 42L);
    SessionData data = SessionData.of(attributes);

    Session saved = awaitValue(store.save(created.withData(data)), "save");
    Kit.sameData(saved.data(), data, "data returned by save");
    Session read = awaitValue(store.get(created.id()), "get after save");
    Kit.sameData(read.data(), data, "data read after save");
    assertThat(read.data().asMap())
        .as("attributes read after save")
        .containsOnlyKeys("user", "answers", "count");
    assertThat(read.attribute("answers")).as("nested attribute").isEqualTo(nested);
  }

  /**
   * Checks that save replaces the whole data instead of merging.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.1 save replaces the whole data and never merges")
  default void r2_1_saveReplaces(StoreFixture kit) {
    SessionStore store = kit.store();
    Session created =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "a", 1, "b", Map.of("x", 1, "y", 2))),
            "create");
    awaitValue(store.save(created.withData(data("b", Map.of("x", 9), "c", "new"))), "save");
    Session read = awaitValue(store.get(created.id()), "get after save");
    assertThat(read.data())
        .as("data after a save that dropped 'a' and 'b.y'")
        .isEqualTo(data("b", Map.of("x", 9L), "c", "new"));
    awaitValue(store.save(read.withData(SessionData.empty())), "save of empty data");
    assertThat(awaitValue(store.get(created.id()), "get after saving empty data").data().isEmpty())
        .as("data after saving empty data is empty")
        .isTrue();
  }

  /**
   * Checks that save of an absent id inserts it at version 1.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.1 save of an absent id inserts it at version 1")
  default void r2_1_saveUpserts(StoreFixture kit) {
    SessionStore store = kit.store();
    Session fresh =
        Session.builder("kit-upsert-" + Long.toHexString(System.nanoTime()))
            .data(data("k", "v"))
            .createdAt(kit.clock().instant())
            .lastAccessedAt(kit.clock().instant())
            .maxIdle(Duration.ofHours(1))
            .version(7)
            .build();
    Session saved = awaitValue(store.save(fresh), "save of an absent id");
    assertThat(saved.version()).as("version of an upserted session").isEqualTo(1L);
    Session read = awaitValue(store.get(fresh.id()), "get after upsert");
    Kit.sameData(read.data(), fresh.data(), "data after upsert");
    assertThat(read.version()).as("version read after upsert").isEqualTo(1L);
    assertThat(await(store.count(), "count")).as("count after upsert").isEqualTo(1L);
  }

  /**
   * Checks that values a caller derives from returned sessions never change the store.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.2 returned sessions are immutable and changing copies does not change the store")
  default void r2_2_immutable(StoreFixture kit) {
    SessionStore store = kit.store();
    List<Object> list = new ArrayList<>(List.of(1, 2));
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("list", list);
    Session created =
        awaitValue(
            store.create(SessionDraft.of(SessionData.of(map)).withMaxIdle(Duration.ofHours(1))),
            "create");
    list.add(3); // the caller's own mutable input, changed after the write
    Session read = awaitValue(store.get(created.id()), "get");
    assertThat(read.attribute("list"))
        .as("stored list after the caller changed its input")
        .isEqualTo(List.of(1L, 2L));

    assertThatThrownBy(() -> read.data().asMap().put("x", 1L))
        .as("put into returned data")
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> returnedList = (List<Object>) read.attribute("list");
    assertThatThrownBy(() -> returnedList.add(4L))
        .as("add to a returned nested list")
        .isInstanceOf(UnsupportedOperationException.class);
    Session derived = read.withAttribute("x", "changed").withPrincipal("mallory", true);
    assertThat(derived.id()).isEqualTo(read.id());

    Session again = awaitValue(store.get(created.id()), "get again");
    Kit.sameData(again.data(), read.data(), "data after the caller derived copies");
    assertThat(again.principal()).as("principal after the caller derived copies").isNull();
    assertThat(again.version()).as("version after the caller derived copies").isEqualTo(1L);
  }

  /**
   * Checks that every kind of write increments the version by one and reads do not.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.3 every write increments the version by exactly one; get and touch do not")
  default void r2_3_versions(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0)), "create");
    assertThat(s.version()).as("version after create").isEqualTo(1L);
    kit.clock().advance(Duration.ofSeconds(1));
    assertThat(awaitValue(store.get(s.id()), "get").version())
        .as("version after get")
        .isEqualTo(1L);
    assertThat(awaitValue(store.touch(s.id()), "touch").version())
        .as("version after touch")
        .isEqualTo(1L);
    Session saved =
        awaitValue(store.save(s.withAttribute("n", 1).toBuilder().version(99).build()), "save");
    assertThat(saved.version())
        .as("version after save (the given version is ignored)")
        .isEqualTo(2L);
    Session cas = awaitValue(store.saveIfUnchanged(saved.withAttribute("n", 2)), "saveIfUnchanged");
    assertThat(cas.version()).as("version after saveIfUnchanged").isEqualTo(3L);
    Session updated = awaitValue(store.update(s.id(), x -> x.withAttribute("n", 3)), "update");
    assertThat(updated.version()).as("version after update").isEqualTo(4L);
    Session same = awaitValue(store.update(s.id(), x -> x), "update returning its argument");
    assertThat(same.version())
        .as("version after an update whose change returns its argument")
        .isEqualTo(5L);
    Session moved = awaitValue(store.regenerate(s.id()), "regenerate");
    assertThat(moved.version()).as("version after regenerate").isEqualTo(6L);
    kit.clock().advance(Duration.ofSeconds(1));
    assertThat(awaitValue(store.get(moved.id()), "get").version())
        .as("version read at the end")
        .isEqualTo(6L);
    assertThat(awaitValue(store.get(moved.id()), "get").attribute("n"))
        .as("data at the end")
        .isEqualTo(3L);
  }

  /**
   * Checks that saveIfUnchanged with a stale version fails and changes nothing.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.3 saveIfUnchanged with a stale version fails with StaleSessionException and changes nothing")
  default void r2_3_saveIfUnchangedStale(StoreFixture kit) {
    SessionStore store = kit.store();
    Session v1 = awaitValue(store.create(draft(Duration.ofHours(1), "owner", "first")), "create");
    Session v2 =
        awaitValue(
            store.saveIfUnchanged(v1.withAttribute("owner", "second")), "saveIfUnchanged at v1");
    assertThat(v2.version()).as("version after the first saveIfUnchanged").isEqualTo(2L);

    expectError(
        store.saveIfUnchanged(v1.withAttribute("owner", "stale")),
        StaleSessionException.class,
        "saveIfUnchanged of a copy read at version 1 when 2 is stored");
    expectError(
        store.saveIfUnchanged(v2.toBuilder().version(5).build().withAttribute("owner", "future")),
        StaleSessionException.class,
        "saveIfUnchanged claiming version 5 when 2 is stored");
    Session read = awaitValue(store.get(v1.id()), "get");
    assertThat(read.attribute("owner"))
        .as("data after rejected saveIfUnchanged")
        .isEqualTo("second");
    assertThat(read.version()).as("version after rejected saveIfUnchanged").isEqualTo(2L);

    Session absent =
        Session.builder("kit-absent-" + Long.toHexString(System.nanoTime())).version(1).build();
    expectError(
        store.saveIfUnchanged(absent),
        StaleSessionException.class,
        "saveIfUnchanged of an absent id");
    expectEmpty(store.get(absent.id()), "get of the id after a rejected saveIfUnchanged");
    assertThat(await(store.count(), "count")).as("count").isEqualTo(1L);
  }

  /**
   * Checks the sequential semantics of update: each change sees the previous result.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.4 each update's change sees the result of the previous one")
  default void r2_4_updateSeesPrevious(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "log", List.of())), "create");
    for (int i = 1; i <= 20; i++) {
      int step = i;
      Session updated =
          awaitValue(
              store.update(
                  s.id(),
                  current -> {
                    @SuppressWarnings("unchecked")
                    List<Object> log = new ArrayList<>((List<Object>) current.attribute("log"));
                    log.add((long) step);
                    return current.withAttribute("log", log);
                  }),
              "update " + i);
      assertThat(((List<?>) updated.attribute("log"))).as("log after update %d", i).hasSize(i);
    }
    Session read = awaitValue(store.get(s.id()), "get");
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= 20; i++) {
      expected.add(i);
    }
    assertThat(read.attribute("log")).as("log after 20 updates").isEqualTo(expected);
    assertThat(read.version()).as("version after 20 updates").isEqualTo(21L);
  }

  /**
   * Checks how update treats a failing change or one that changes the id.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.4 an update whose change fails or changes the id writes nothing")
  default void r2_4_updateFailures(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 1)), "create");
    Session other =
        awaitValue(store.create(draft(Duration.ofHours(1), "n", 100)), "create another");
    IllegalStateException boom = new IllegalStateException("boom from change");
    Throwable error =
        Kit.awaitError(
            store.update(
                s.id(),
                x -> {
                  throw boom;
                }),
            "update whose change throws");
    assertThat(error).as("error of an update whose change throws").isSameAs(boom);
    expectError(
        store.update(s.id(), x -> other.withAttribute("n", 2)),
        IllegalArgumentException.class,
        "update whose change returns a session with another id");
    Session read = awaitValue(store.get(s.id()), "get");
    assertThat(read.attribute("n")).as("data after failed updates").isEqualTo(1L);
    assertThat(read.version()).as("version after failed updates").isEqualTo(1L);
    Session otherRead = awaitValue(store.get(other.id()), "get the other session");
    assertThat(otherRead.attribute("n"))
        .as("the other session after failed updates")
        .isEqualTo(100L);
    assertThat(otherRead.version()).as("version of the other session").isEqualTo(1L);
  }

  /**
   * Checks that reads and updates of an absent id complete empty and create nothing.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.5 get, update and touch of an absent id complete empty and create nothing")
  default void r2_5_absent(StoreFixture kit) {
    SessionStore store = kit.store();
    String absent = "kit-absent-" + Long.toHexString(System.nanoTime());
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<Session> seen = new AtomicReference<>();
    expectEmpty(store.get(absent), "get of an absent id");
    expectEmpty(store.touch(absent), "touch of an absent id");
    expectEmpty(
        store.update(
            absent,
            x -> {
              calls.incrementAndGet();
              seen.set(x);
              return x == null ? Session.builder(absent).build() : x;
            }),
        "update of an absent id");
    assertThat(calls.get()).as("calls of update's change for an absent id").isZero();
    expectEmpty(store.get(absent), "get after update of an absent id");
    assertThat(await(store.count(), "count")).as("count").isZero();
    assertThat(Kit.awaitList(store.all(), "all")).as("all").isEmpty();
  }
}
