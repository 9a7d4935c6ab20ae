package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectError;
import static dev.sessionstore.tck.Kit.expectValue;
import static dev.sessionstore.tck.Kit.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;

/**
 * Rules R5.1 to R5.3: principals, exclusive claims and their release. Concurrent claims are in
 * {@link ConcurrencyContract}. Part of {@link SessionStoreTck}; adopt the kit through that
 * interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface PrincipalContract {

  /**
   * Checks findByPrincipal.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R5.1 findByPrincipal returns exactly the live sessions bound to that principal")
  default void r5_1_findByPrincipal(StoreFixture kit) {
    SessionStore store = kit.store();
    Session a1 =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", false)), "create a1");
    Session a3 =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", false)), "create a3");
    Session aShort =
        awaitValue(
            store.create(draft(Duration.ofMinutes(1)).withPrincipal("alice", false)), "create");
    Session moved =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", false)), "create");
    Session unbound =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", false)), "create");
    // The exclusive claim comes last: sessions already bound to alice coexist with it.
    Session a2 =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)), "create a2");
    awaitValue(
        store.create(draft(Duration.ofHours(1)).withPrincipal("Alice", false)),
        "create (other case)");
    awaitValue(
        store.create(draft(Duration.ofHours(1)).withPrincipal("alice2", false)),
        "create (longer name)");
    awaitValue(
        store.create(draft(Duration.ofHours(1)).withPrincipal("ali", false)), "create (prefix)");
    Session b =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("bob", false)), "create b");
    awaitValue(store.create(draft(Duration.ofHours(1))), "create without principal");

    expectValue(store.destroy(a3.id()), true, "destroy a3");
    awaitValue(
        store.update(moved.id(), x -> x.withPrincipal("bob", false)), "move a session to bob");
    awaitValue(store.update(unbound.id(), x -> x.withPrincipal(null, false)), "unbind a session");
    kit.clock().advance(Duration.ofMinutes(1));

    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal(alice)"))
        .as("sessions of alice")
        .containsExactlyInAnyOrder(a1.id(), a2.id());
    assertThat(ids(store.findByPrincipal("bob"), "findByPrincipal(bob)"))
        .as("sessions of bob")
        .containsExactlyInAnyOrder(b.id(), moved.id());
    assertThat(ids(store.findByPrincipal("carol"), "findByPrincipal(carol)"))
        .as("sessions of carol")
        .isEmpty();
    assertThat(ids(store.findByPrincipal("Alice"), "findByPrincipal(Alice)"))
        .as("principals are case-sensitive")
        .hasSize(1);
    assertThat(
            awaitValue(
                    store.findByPrincipal("alice").filter(s -> s.id().equals(a2.id())).next(),
                    "find a2")
                .exclusive())
        .as("exclusive flag returned by findByPrincipal")
        .isTrue();
    assertThat(aShort.id()).isNotIn(ids(store.findByPrincipal("alice"), "findByPrincipal(alice)"));
  }

  /**
   * Checks that an exclusive claim blocks every new binding of its principal to another session.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R5.2 while a session holds a principal exclusively, binding it elsewhere fails and writes nothing")
  default void r5_2_exclusiveBlocksOthers(StoreFixture kit) {
    SessionStore store = kit.store();
    Session holder =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "holder").withPrincipal("alice", true)),
            "create the exclusive holder");
    Session other =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "other")), "create another session");
    Session bobs =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "bob").withPrincipal("bob", false)),
            "create");

    expectError(
        store.create(draft(Duration.ofHours(1)).withPrincipal("alice", false)),
        PrincipalConflictException.class,
        "create binding alice non-exclusively");
    expectError(
        store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)),
        PrincipalConflictException.class,
        "create claiming alice exclusively");
    expectError(
        store.save(other.withPrincipal("alice", false)),
        PrincipalConflictException.class,
        "save binding alice to another session");
    expectError(
        store.saveIfUnchanged(other.withPrincipal("alice", true)),
        PrincipalConflictException.class,
        "saveIfUnchanged claiming alice for another session");
    expectError(
        store.update(other.id(), x -> x.withPrincipal("alice", false)),
        PrincipalConflictException.class,
        "update binding alice to another session");
    expectError(
        store.update(bobs.id(), x -> x.withPrincipal("alice", true)),
        PrincipalConflictException.class,
        "update moving bob's session to alice");
    PrincipalConflictException e =
        expectError(
            store.save(
                Session.builder("kit-new-" + Long.toHexString(System.nanoTime()))
                    .principal("alice", false)
                    .maxIdle(Duration.ofHours(1))
                    .build()),
            PrincipalConflictException.class,
            "save inserting alice");
    assertThat(e.principal()).as("principal named by the conflict").isEqualTo("alice");

    assertThat(await(store.count(), "count")).as("count after the conflicts").isEqualTo(3L);
    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal"))
        .as("sessions of alice")
        .containsExactly(holder.id());
    Session otherNow = awaitValue(store.get(other.id()), "get other");
    assertThat(otherNow.principal()).as("principal of the other session after conflicts").isNull();
    assertThat(otherNow.version()).as("version of the other session after conflicts").isEqualTo(1L);
    assertThat(awaitValue(store.get(bobs.id()), "get bob's").principal())
        .as("bob's session")
        .isEqualTo("bob");

    Session holderUpdated =
        awaitValue(
            store.update(holder.id(), x -> x.withAttribute("k", "still mine")),
            "the holder updates itself");
    assertThat(holderUpdated.exclusive()).as("the holder keeps its claim").isTrue();
    awaitValue(store.save(holderUpdated.withAttribute("k", "saved")), "the holder saves itself");
  }

  /**
   * Checks the quiz case: shared sessions of a principal, then one exclusive claim.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R5.2 sessions already bound non-exclusively coexist with a later exclusive claim; a second claim fails")
  default void r5_2_sharedThenExclusive(StoreFixture kit) {
    SessionStore store = kit.store();
    Session tab1 =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "tab", 1).withPrincipal("alice", false)),
            "tab 1");
    Session tab2 =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "tab", 2).withPrincipal("alice", false)),
            "tab 2");
    Session quiz =
        awaitValue(
            store.update(
                tab1.id(), x -> x.withPrincipal("alice", true).withAttribute("quiz", true)),
            "tab 1 starts the quiz (exclusive claim)");
    assertThat(quiz.exclusive()).as("claim of tab 1").isTrue();
    Session tab2Again =
        awaitValue(
            store.update(tab2.id(), x -> x.withAttribute("page", "home")),
            "tab 2 keeps its existing non-exclusive binding");
    assertThat(tab2Again.principal()).as("principal of tab 2").isEqualTo("alice");
    awaitValue(store.save(tab2Again.withAttribute("page", "news")), "tab 2 saves with its binding");
    expectError(
        store.update(tab2.id(), x -> x.withPrincipal("alice", true)),
        PrincipalConflictException.class,
        "tab 2 also claims alice exclusively");
    expectError(
        store.create(draft(Duration.ofHours(1)).withPrincipal("alice", false)),
        PrincipalConflictException.class,
        "a third tab binds alice");
    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal"))
        .as("sessions of alice")
        .containsExactlyInAnyOrder(tab1.id(), tab2.id());

    awaitValue(
        store.update(tab1.id(), x -> x.withPrincipal("alice", false)), "tab 1 ends the quiz");
    Session tab3 =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)),
            "a new exclusive claim after the holder gave it up");
    assertThat(tab3.exclusive()).isTrue();
  }

  /**
   * Checks that regenerate moves the claim without a conflict.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R5.2 regenerate moves an exclusive claim to the new id without a conflict")
  default void r5_2_regenerateKeepsClaim(StoreFixture kit) {
    SessionStore store = kit.store();
    Session holder =
        awaitValue(store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)), "create");
    Session moved = awaitValue(store.regenerate(holder.id()), "regenerate the holder");
    assertThat(moved.exclusive()).as("claim after regenerate").isTrue();
    expectError(
        store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)),
        PrincipalConflictException.class,
        "claim of alice after the holder was regenerated");
    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal")).containsExactly(moved.id());
  }

  /**
   * Checks that destroy, clear and expiry release a claim at once.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R5.3 a destroyed or expired exclusive session releases its claim at once, without a reaper")
  default void r5_3_releaseAtOnce(StoreFixture kit) {
    SessionStore store = kit.store();
    Session destroyed =
        awaitValue(store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)), "claim");
    expectValue(store.destroy(destroyed.id()), true, "destroy the holder");
    Session next =
        awaitValue(
            store.create(draft(Duration.ofMinutes(5)).withPrincipal("alice", true)),
            "claim right after the holder was destroyed");
    kit.clock().advance(Duration.ofMinutes(5));
    Session afterExpiry =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)),
            "claim right after the holder expired (no cleanup ran)");
    assertThat(afterExpiry.id()).isNotEqualTo(next.id());
    Session other =
        awaitValue(store.create(draft(Duration.ofHours(1)).withPrincipal("bob", false)), "create");
    expectValue(store.clear(), 2L, "clear");
    awaitValue(
        store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)),
        "claim right after clear");
    assertThat(other.principal()).isEqualTo("bob");
    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal")).hasSize(1);
  }

  /**
   * Checks that an expired holder does not block another session's update.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R5.3 an expired holder does not block binding its principal to an existing session")
  default void r5_3_expiredHolderDoesNotBlockUpdates(StoreFixture kit) {
    SessionStore store = kit.store();
    awaitValue(store.create(draft(Duration.ofMinutes(1)).withPrincipal("alice", true)), "claim");
    Session other = awaitValue(store.create(draft(Duration.ofHours(1))), "create");
    kit.clock().advance(Duration.ofMinutes(1));
    Session bound =
        awaitValue(
            store.update(other.id(), x -> x.withPrincipal("alice", true)),
            "claim by update after the holder expired");
    assertThat(bound.exclusive()).isTrue();
    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal")).containsExactly(other.id());
    SessionDraft late = draft(Duration.ofHours(1)).withPrincipal("alice", false);
    expectError(
        store.create(late), PrincipalConflictException.class, "binding alice after the new claim");
  }
}
