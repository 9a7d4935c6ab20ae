package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectEmpty;
import static dev.sessionstore.tck.Kit.expectError;
import static dev.sessionstore.tck.Kit.expectValue;
import static dev.sessionstore.tck.Kit.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;

/**
 * Rules R3.1 to R3.4: destroy, tombstones, clear and cleanup. Races of destroy with writers are in
 * {@link ConcurrencyContract}. Part of {@link SessionStoreTck}; adopt the kit through that
 * interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface DestroyContract {

  /**
   * Checks that a destroyed session disappears from every read.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R3.1 after destroy, get is empty and count, all and findByPrincipal exclude the session")
  default void r3_1_destroy(StoreFixture kit) {
    SessionStore store = kit.store();
    Session a =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "a").withPrincipal("alice", false)),
            "create a");
    Session b =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "b").withPrincipal("alice", false)),
            "create b");
    expectValue(store.destroy(a.id()), true, "destroy of a live session");
    expectEmpty(store.get(a.id()), "get after destroy");
    assertThat(await(store.count(), "count")).as("count after destroying one of two").isEqualTo(1L);
    assertThat(ids(store.all(), "all")).as("all after destroy").containsExactly(b.id());
    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal"))
        .as("findByPrincipal after destroy")
        .containsExactly(b.id());
    expectValue(store.destroy(a.id()), false, "second destroy of the same id");
    expectValue(store.destroy("kit-never-existed-0123456789"), false, "destroy of an unknown id");
    assertThat(await(store.count(), "count")).as("count at the end").isEqualTo(1L);
  }

  /**
   * Checks that no write brings a destroyed session back.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R3.2 save, saveIfUnchanged, update and touch after destroy never bring the session back")
  default void r3_2_writesAfterDestroy(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "k", "v")), "create");
    Session v2 = awaitValue(store.update(s.id(), x -> x.withAttribute("k", "v2")), "update");
    expectValue(store.destroy(s.id()), true, "destroy");
    expectError(
        store.save(v2.withAttribute("k", "zombie")),
        SessionDestroyedException.class,
        "save after destroy");
    expectError(
        store.saveIfUnchanged(v2.withAttribute("k", "zombie")),
        SessionDestroyedException.class,
        "saveIfUnchanged after destroy");
    AtomicInteger changeCalls = new AtomicInteger();
    expectEmpty(
        store.update(
            s.id(),
            x -> {
              changeCalls.incrementAndGet();
              return x.withAttribute("k", "zombie");
            }),
        "update after destroy");
    expectEmpty(store.touch(s.id()), "touch after destroy");
    kit.clock().advance(Duration.ofMinutes(1));
    expectError(store.save(v2), SessionDestroyedException.class, "save a minute after destroy");
    expectEmpty(store.get(s.id()), "get after the writes");
    assertThat(changeCalls.get()).as("calls of update's change after destroy").isZero();
    assertThat(await(store.count(), "count")).as("count after the writes").isZero();
    assertThat(await(store.cleanup(), "cleanup"))
        .as("cleanup within the tombstone grace")
        .isNotNull();
    expectError(
        store.save(v2), SessionDestroyedException.class, "save after a cleanup within the grace");
  }

  /**
   * Checks clear.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R3.3 clear destroys every live session, returns how many, and leaves tombstones")
  default void r3_3_clear(StoreFixture kit) {
    SessionStore store = kit.store();
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sessions.add(
          awaitValue(
              store.create(draft(Duration.ofHours(1), "i", i).withPrincipal("p" + i, true)),
              "create " + i));
    }
    Session expired =
        awaitValue(
            store.create(draft(Duration.ofMinutes(1), "i", "expired")), "create short-lived");
    Session destroyed =
        awaitValue(store.create(draft(Duration.ofHours(1), "i", "destroyed")), "create");
    expectValue(store.destroy(destroyed.id()), true, "destroy");
    kit.clock().advance(Duration.ofMinutes(2));

    expectValue(store.clear(), 5L, "clear of 5 live sessions (plus one expired and one destroyed)");
    assertThat(await(store.count(), "count")).as("count after clear").isZero();
    assertThat(ids(store.all(), "all")).as("all after clear").isEmpty();
    for (Session s : sessions) {
      expectEmpty(store.get(s.id()), "get after clear");
      expectError(
          store.save(s.withAttribute("i", "zombie")),
          SessionDestroyedException.class,
          "save after clear");
    }
    expectEmpty(store.get(expired.id()), "get of the expired session after clear");
    expectValue(store.clear(), 0L, "clear of an empty store");
    Session claim =
        awaitValue(
            store.create(SessionDraft.empty().withPrincipal("p0", true)),
            "exclusive claim of a principal whose holder was cleared");
    assertThat(claim.exclusive()).as("new exclusive claim").isTrue();
  }

  /**
   * Checks that cleanup removes what it should, when it should, and counts it.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R3.4 cleanup removes tombstones past the grace and expired sessions, and counts them")
  default void r3_4_cleanup(StoreFixture kit) {
    SessionStore store = kit.open(o -> o.with(StoreOptions.TOMBSTONE_GRACE, Duration.ofMinutes(1)));
    Session keep = awaitValue(store.create(draft(Duration.ofHours(1), "k", "keep")), "create kept");
    Session shortLived =
        awaitValue(store.create(draft(Duration.ofSeconds(90), "k", "short")), "create short-lived");
    Session gone =
        awaitValue(store.create(draft(Duration.ofHours(1), "k", "gone")), "create destroyed");
    expectValue(store.destroy(gone.id()), true, "destroy");

    kit.clock().advance(Duration.ofSeconds(30));
    expectValue(
        store.cleanup(), 0L, "cleanup with nothing expired and a tombstone within the grace");
    expectError(
        store.save(gone),
        SessionDestroyedException.class,
        "save of the destroyed id within the grace");

    kit.clock().advance(Duration.ofMinutes(2));
    expectValue(
        store.cleanup(),
        2L,
        "cleanup after the grace and the expiry (1 tombstone + 1 expired session)");
    expectValue(store.cleanup(), 0L, "second cleanup");
    expectEmpty(store.get(shortLived.id()), "get of the expired session after cleanup");
    expectEmpty(store.get(gone.id()), "get of the destroyed id after cleanup");
    assertThat(awaitValue(store.get(keep.id()), "get of the kept session").attribute("k"))
        .as("the live session survives cleanup")
        .isEqualTo("keep");
    assertThat(await(store.count(), "count")).as("count after cleanup").isEqualTo(1L);
  }

  /**
   * Checks that a store runs cleanup by itself on the configured interval.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R3.4 the store runs cleanup on its own schedule")
  default void r3_4_ownSchedule(StoreFixture kit) {
    SessionStore store =
        kit.open(
            o ->
                o.with(StoreOptions.TOMBSTONE_GRACE, Duration.ofMinutes(1))
                    .with(StoreOptions.CLEANUP_INTERVAL, Duration.ofMillis(100)));
    Session shortLived =
        awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "short")), "create");
    Session gone = awaitValue(store.create(draft(Duration.ofHours(1), "k", "gone")), "create");
    expectValue(store.destroy(gone.id()), true, "destroy");
    kit.clock().advance(Duration.ofMinutes(5));
    // The store's own schedule runs on the StoreOptions.SCHEDULER it was given: ten intervals pass
    // at once.
    kit.scheduler().advanceTimeBy(Duration.ofSeconds(1));
    expectValue(
        store.cleanup(),
        0L,
        "explicit cleanup after ten intervals of the store's own cleanup (every "
            + "100 ms on StoreOptions.SCHEDULER) should have removed 1 tombstone and 1 expired session");
    expectEmpty(store.get(shortLived.id()), "get of the expired session");
  }
}
