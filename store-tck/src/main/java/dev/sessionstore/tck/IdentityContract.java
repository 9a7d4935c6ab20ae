package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitError;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.data;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectEmpty;
import static dev.sessionstore.tck.Kit.expectError;
import static dev.sessionstore.tck.Kit.expectValue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;

/**
 * Rules R1.1 to R1.4: where session ids come from, how malformed ids are treated, and {@code
 * regenerate}. Part of {@link SessionStoreTck}; adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface IdentityContract {

  /** Malformed ids: null, empty, too long, and characters outside {@code [A-Za-z0-9._~-]}. */
  private static List<String> malformedIds() {
    List<String> ids = new ArrayList<>();
    ids.add(null);
    ids.add("");
    ids.add("a".repeat(Session.MAX_ID_LENGTH + 1));
    ids.add("has space");
    ids.add("slash/in/id");
    ids.add("dollar$");
    ids.add("nul\0byte");
    ids.add("ünïcode");
    ids.add("plus+sign");
    ids.add("{\"$gt\":\"\"}");
    return ids;
  }

  /**
   * Checks that {@code create} takes its ids from the configured generator.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R1.1 create takes the id from the store's id generator")
  default void r1_1_createUsesTheIdGenerator(StoreFixture kit) {
    String prefix = "kit-" + UUID.randomUUID().toString().replace("-", "") + "-";
    ConcurrentLinkedQueue<String> issued = new ConcurrentLinkedQueue<>();
    AtomicInteger next = new AtomicInteger();
    SessionIdGenerator generator =
        () -> {
          String id = prefix + next.incrementAndGet();
          issued.add(id);
          return id;
        };
    SessionStore store = kit.open(o -> o.with(StoreOptions.ID_GENERATOR, generator));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      Session created = awaitValue(store.create(SessionDraft.empty()), "create");
      assertThat(created.id()).as("id of created session %d", i).startsWith(prefix).isIn(issued);
      assertThat(created.version()).as("version of a created session").isEqualTo(1L);
      ids.add(created.id());
    }
    assertThat(ids).as("distinct ids of 20 created sessions").hasSize(20);
    assertThat(await(store.count(), "count")).as("count after 20 creates").isEqualTo(20L);
  }

  /**
   * Checks that {@code create} never overwrites a session whose id the generator repeats.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R1.1 create never overwrites when the generator repeats an id")
  default void r1_1_createNeverOverwrites(StoreFixture kit) {
    String base = "kit-" + UUID.randomUUID().toString().replace("-", "");
    // The generator repeats its first id twice before moving on.
    List<String> sequence =
        List.of(base + "-a", base + "-a", base + "-a", base + "-b", base + "-c");
    AtomicInteger next = new AtomicInteger();
    SessionIdGenerator generator =
        () -> sequence.get(Math.min(next.getAndIncrement(), sequence.size() - 1));
    SessionStore store = kit.open(o -> o.with(StoreOptions.ID_GENERATOR, generator));

    Session first =
        awaitValue(store.create(draft(Duration.ofHours(1), "owner", "first")), "first create");
    assertThat(first.id()).as("first id").isEqualTo(base + "-a");
    Session second =
        awaitValue(store.create(draft(Duration.ofHours(1), "owner", "second")), "second create");
    assertThat(second.id()).as("second create retries past the id in use").isEqualTo(base + "-b");

    Session stillFirst = awaitValue(store.get(first.id()), "get the first session");
    assertThat(stillFirst.attribute("owner"))
        .as("data of the first session after a colliding create")
        .isEqualTo("first");
    assertThat(stillFirst.version()).as("version of the first session").isEqualTo(1L);
    assertThat(await(store.count(), "count")).as("count after two creates").isEqualTo(2L);
  }

  /**
   * Checks the shape of ids from the default generator.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R1.2 default ids are URL-safe, long enough for 128 random bits, and distinct")
  default void r1_2_defaultIds(StoreFixture kit) {
    SessionStore store = kit.store();
    Pattern urlSafe = Pattern.compile("[A-Za-z0-9_-]+");
    Pattern hex = Pattern.compile("[0-9a-fA-F]+");
    Set<String> ids = new HashSet<>();
    Set<Character> alphabet = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String id = awaitValue(store.create(SessionDraft.empty()), "create").id();
      assertThat(id).as("default id (URL-safe characters only)").matches(urlSafe);
      // 128 bits need at least 22 base64url characters, or 32 hexadecimal ones.
      assertThat(id.length()).as("length of a default id").isGreaterThanOrEqualTo(22);
      if (hex.matcher(id).matches()) {
        assertThat(id.length()).as("length of a hexadecimal default id").isGreaterThanOrEqualTo(32);
      }
      for (char c : id.toCharArray()) {
        alphabet.add(c);
      }
      ids.add(id);
    }
    assertThat(ids).as("200 default ids are distinct").hasSize(200);
    assertThat(alphabet.size())
        .as("distinct characters used across 200 random ids")
        .isGreaterThanOrEqualTo(16);
  }

  /**
   * Checks that malformed ids read as unknown and never reach the backend.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R1.3 a malformed id reads empty, touches and destroys nothing, and does not reach the backend")
  default void r1_3_malformedIds(StoreFixture kit) {
    SessionStore store = kit.store();
    Session live = awaitValue(store.create(draft(Duration.ofHours(1), "k", "v")), "create");
    AtomicInteger changeCalls = new AtomicInteger();
    BackendControl control = kit.backendControl();
    if (control != null) {
      // Without a backend, a store that sends malformed ids to it would fail instead of answering.
      kit.cutBackend();
    }
    for (String id : malformedIds()) {
      String shown =
          id == null ? "null" : "'" + Session.redact(id) + "' (" + id.length() + " chars)";
      expectEmpty(store.get(id), "get of malformed id " + shown);
      expectEmpty(store.touch(id), "touch of malformed id " + shown);
      expectValue(store.destroy(id), false, "destroy of malformed id " + shown);
      expectEmpty(
          store.update(
              id,
              s -> {
                changeCalls.incrementAndGet();
                return s;
              }),
          "update of malformed id " + shown);
      expectEmpty(store.regenerate(id), "regenerate of malformed id " + shown);
    }
    assertThat(changeCalls.get()).as("update's change called for malformed ids").isZero();
    if (control != null) {
      kit.restoreBackend();
    }
    Session after = awaitValue(store.get(live.id()), "get of the live session");
    assertThat(after.version())
        .as("the live session is untouched by malformed-id calls")
        .isEqualTo(1L);
    assertThat(await(store.count(), "count")).as("count after malformed-id calls").isEqualTo(1L);
  }

  /**
   * Checks that save rejects a session that is null (the only malformed value a caller can build).
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R1.3 save and saveIfUnchanged of a null session signal an error and write nothing")
  default void r1_3_saveOfNull(StoreFixture kit) {
    SessionStore store = kit.store();
    Throwable save = awaitError(store.save(null), "save(null)");
    assertThat(save)
        .as("error of save(null)")
        .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class);
    Throwable cas = awaitError(store.saveIfUnchanged(null), "saveIfUnchanged(null)");
    assertThat(cas)
        .as("error of saveIfUnchanged(null)")
        .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class);
    assertThat(await(store.count(), "count")).as("count after rejected saves").isZero();
  }

  /**
   * Checks what {@code regenerate} keeps and changes.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R1.4 regenerate moves the session to a new id with the same data and destroys the old id")
  default void r1_4_regenerate(StoreFixture kit) {
    SessionStore store = kit.store();
    Session original =
        awaitValue(
            store.create(
                SessionDraft.of(data("cart", List.of(1, 2, 3), "step", "pay"))
                    .withPrincipal("alice", true)
                    .withMaxIdle(Duration.ofMinutes(20))
                    .withDeadline(kit.clock().instant().plus(Duration.ofHours(8)))),
            "create");
    Session updated =
        awaitValue(store.update(original.id(), s -> s.withAttribute("step", "confirm")), "update");
    kit.clock().advance(Duration.ofMinutes(3));

    Session moved = awaitValue(store.regenerate(original.id()), "regenerate");
    assertThat(moved.id()).as("id after regenerate").isNotEqualTo(original.id());
    assertThat(Session.isWellFormedId(moved.id())).as("new id is well formed").isTrue();
    Kit.sameData(moved.data(), updated.data(), "data after regenerate");
    assertThat(moved.principal()).as("principal after regenerate").isEqualTo("alice");
    assertThat(moved.exclusive()).as("exclusive claim after regenerate").isTrue();
    assertThat(moved.maxIdle()).as("maxIdle after regenerate").isEqualTo(original.maxIdle());
    assertThat(moved.deadline()).as("deadline after regenerate").isEqualTo(original.deadline());
    assertThat(moved.createdAt()).as("createdAt after regenerate").isEqualTo(original.createdAt());
    assertThat(moved.version()).as("version after regenerate").isEqualTo(updated.version() + 1);
    assertThat(moved.lastAccessedAt())
        .as("lastAccessedAt after regenerate")
        .isEqualTo(kit.clock().instant());

    expectEmpty(store.get(original.id()), "get of the old id after regenerate");
    expectEmpty(store.touch(original.id()), "touch of the old id after regenerate");
    expectError(
        store.save(updated.withAttribute("step", "hijack")),
        SessionDestroyedException.class,
        "save of the old id after regenerate");
    assertThat(awaitValue(store.get(moved.id()), "get of the new id").data())
        .as("data read under the new id")
        .isEqualTo(updated.data());
    assertThat(await(store.count(), "count")).as("count after regenerate").isEqualTo(1L);
    assertThat(Kit.ids(store.findByPrincipal("alice"), "findByPrincipal"))
        .as("sessions of alice after regenerate")
        .containsExactly(moved.id());
    expectEmpty(store.regenerate(original.id()), "regenerate of the old id again");
  }

  /**
   * Checks that regenerate of an unknown id creates nothing.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R1.4 regenerate of an unknown or destroyed id completes empty")
  default void r1_4_regenerateUnknown(StoreFixture kit) {
    SessionStore store = kit.store();
    expectEmpty(store.regenerate("no-such-session-id-0123456789"), "regenerate of an unknown id");
    Session s = awaitValue(store.create(SessionDraft.empty()), "create");
    assertThat(await(store.destroy(s.id()), "destroy")).as("destroy").isTrue();
    expectEmpty(store.regenerate(s.id()), "regenerate of a destroyed id");
    assertThat(await(store.count(), "count")).as("count").isZero();
  }
}
