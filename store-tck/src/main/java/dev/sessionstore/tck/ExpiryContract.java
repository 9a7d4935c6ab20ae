package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.data;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectEmpty;
import static dev.sessionstore.tck.Kit.expectError;
import static dev.sessionstore.tck.Kit.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.StoreCapabilities;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;

/**
 * Rules R4.1 to R4.5: when sessions expire, what reads and writes do with expired sessions, and the
 * {@code EXPIRED} event. Time moves only through the {@link TestClock}. Part of {@link
 * SessionStoreTck}; adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface ExpiryContract {

  /**
   * Checks that the earlier of the idle limit and the deadline decides expiry.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R4.1 a session expires at the earlier of lastAccessedAt + maxIdle and deadline")
  default void r4_1_expiresAtTheEarlierTerm(StoreFixture kit) {
    SessionStore store = kit.store();
    Instant t0 = kit.clock().instant();
    Session deadlineFirst =
        awaitValue(
            store.create(
                SessionDraft.empty()
                    .withMaxIdle(Duration.ofMinutes(10))
                    .withDeadline(t0.plus(Duration.ofMinutes(5)))),
            "create (deadline first)");
    Session idleFirst =
        awaitValue(
            store.create(
                SessionDraft.empty()
                    .withMaxIdle(Duration.ofMinutes(3))
                    .withDeadline(t0.plus(Duration.ofMinutes(8)))),
            "create (idle limit first)");
    assertThat(deadlineFirst.expiresAt())
        .as("expiresAt (deadline first)")
        .isEqualTo(t0.plus(Duration.ofMinutes(5)));
    assertThat(idleFirst.expiresAt())
        .as("expiresAt (idle first)")
        .isEqualTo(t0.plus(Duration.ofMinutes(3)));

    kit.clock().set(t0.plus(Duration.ofMinutes(3)).minusMillis(1));
    assertThat(await(store.count(), "count")).as("count 1 ms before the idle expiry").isEqualTo(2L);
    kit.clock().set(t0.plus(Duration.ofMinutes(3)));
    assertThat(ids(store.all(), "all"))
        .as("live sessions at the idle expiry")
        .containsExactly(deadlineFirst.id());
    kit.clock().set(t0.plus(Duration.ofMinutes(5)).minusMillis(1));
    assertThat(await(store.count(), "count")).as("count 1 ms before the deadline").isEqualTo(1L);
    kit.clock().set(t0.plus(Duration.ofMinutes(5)));
    assertThat(await(store.count(), "count")).as("count at the deadline").isZero();
  }

  /**
   * Checks that a session with neither term never expires.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R4.1 a session with neither maxIdle nor deadline never expires")
  default void r4_1_neverExpires(StoreFixture kit) {
    SessionStore store = kit.store();
    Session forever =
        awaitValue(store.create(SessionDraft.of(data("k", "v")).withMaxIdle(null)), "create");
    assertThat(forever.maxIdle())
        .as("maxIdle of a session created with withMaxIdle(null)")
        .isNull();
    assertThat(forever.expiresAt()).as("expiresAt").isNull();
    kit.clock().advance(Duration.ofDays(365L * 100));
    assertThat(await(store.cleanup(), "cleanup")).as("cleanup a century later").isZero();
    assertThat(awaitValue(store.get(forever.id()), "get a century later").attribute("k"))
        .isEqualTo("v");
  }

  /**
   * Checks that a draft without an idle limit gets the store's {@code MAX_IDLE} option.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R4.1 a draft without maxIdle gets the store's maxIdle option, and 'none' means no idle limit")
  default void r4_1_defaultMaxIdle(StoreFixture kit) {
    // Both stores are opened before anything is written (a runner may clear a shared backend on
    // open).
    SessionStore store = kit.open(o -> o.with(StoreOptions.MAX_IDLE, Duration.ofMinutes(7)));
    SessionStore unlimited = kit.open(o -> o.with(StoreOptions.MAX_IDLE, null));
    Session s =
        awaitValue(store.create(SessionDraft.empty()), "create with the default idle limit");
    assertThat(s.maxIdle()).as("maxIdle from the MAX_IDLE option").isEqualTo(Duration.ofMinutes(7));
    Session u = awaitValue(unlimited.create(SessionDraft.empty()), "create with MAX_IDLE none");
    assertThat(u.maxIdle()).as("maxIdle when the MAX_IDLE option is none").isNull();
    kit.clock().advance(Duration.ofMinutes(7));
    expectEmpty(store.get(s.id()), "get 7 minutes later");
    assertThat(awaitValue(unlimited.get(u.id()), "get without idle limit").id()).isEqualTo(u.id());
  }

  /**
   * Checks that expired sessions are invisible without any reaper.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R4.2 an expired session is never returned by get, all or findByPrincipal, nor counted")
  default void r4_2_expiredIsInvisible(StoreFixture kit) {
    SessionStore store = kit.store();
    Session live =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "live").withPrincipal("alice", false)),
            "create live");
    Session doomed =
        awaitValue(
            store.create(draft(Duration.ofMinutes(2), "k", "doomed").withPrincipal("alice", false)),
            "create short-lived");
    kit.clock().advance(Duration.ofMinutes(2));
    expectEmpty(store.get(doomed.id()), "get of an expired session");
    assertThat(await(store.count(), "count")).as("count with one expired session").isEqualTo(1L);
    assertThat(ids(store.all(), "all"))
        .as("all with one expired session")
        .containsExactly(live.id());
    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal"))
        .as("findByPrincipal with one expired session")
        .containsExactly(live.id());
    kit.clock().advance(Duration.ofHours(2));
    assertThat(await(store.count(), "count")).as("count with both expired").isZero();
    assertThat(ids(store.all(), "all")).as("all with both expired").isEmpty();
    assertThat(ids(store.findByPrincipal("alice"), "findByPrincipal"))
        .as("findByPrincipal with both expired")
        .isEmpty();
  }

  /**
   * Checks that writes treat an expired session as absent.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R4.2 writes treat an expired session as absent: update empty, saveIfUnchanged stale, save inserts anew")
  default void r4_2_writesOfExpired(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "old")), "create");
    Session v2 = awaitValue(store.update(s.id(), x -> x.withAttribute("k", "v2")), "update");
    kit.clock().advance(Duration.ofMinutes(5));
    expectEmpty(
        store.update(s.id(), x -> x.withAttribute("k", "late")), "update of an expired session");
    expectError(
        store.saveIfUnchanged(v2.withAttribute("k", "late")),
        StaleSessionException.class,
        "saveIfUnchanged of an expired session");
    expectEmpty(store.get(s.id()), "get after the rejected writes");
    Session again =
        awaitValue(
            store.save(v2.withAttribute("k", "new life").withMaxIdle(Duration.ofHours(1))),
            "save of an expired (not destroyed) session");
    assertThat(again.version())
        .as("version of a save over an expired session (inserted anew)")
        .isEqualTo(1L);
    assertThat(awaitValue(store.get(s.id()), "get after the save").attribute("k"))
        .isEqualTo("new life");
  }

  /**
   * Checks that get, touch and update refresh lastAccessedAt and so postpone idle expiry.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R4.3 get, update and touch set lastAccessedAt to now and postpone idle expiry")
  default void r4_3_accessRefreshes(StoreFixture kit) {
    SessionStore store = kit.store();
    Session viaGet = awaitValue(store.create(draft(Duration.ofMinutes(10), "k", "get")), "create");
    Session viaTouch =
        awaitValue(store.create(draft(Duration.ofMinutes(10), "k", "touch")), "create");
    Session viaUpdate =
        awaitValue(store.create(draft(Duration.ofMinutes(10), "k", "update")), "create");
    Session idle = awaitValue(store.create(draft(Duration.ofMinutes(10), "k", "idle")), "create");
    for (int r = 1; r <= 3; r++) {
      int round = r;
      Instant now = kit.clock().advance(Duration.ofMinutes(6));
      Session got = awaitValue(store.get(viaGet.id()), "get in round " + round);
      assertThat(got.lastAccessedAt()).as("lastAccessedAt returned by get").isEqualTo(now);
      Session touched = awaitValue(store.touch(viaTouch.id()), "touch in round " + round);
      assertThat(touched.lastAccessedAt()).as("lastAccessedAt returned by touch").isEqualTo(now);
      Session updated =
          awaitValue(store.update(viaUpdate.id(), x -> x.withAttribute("round", round)), "update");
      assertThat(updated.lastAccessedAt()).as("lastAccessedAt returned by update").isEqualTo(now);
      assertThat(got.version()).as("version after get").isEqualTo(1L);
      assertThat(touched.version()).as("version after touch").isEqualTo(1L);
    }
    // 18 minutes after creation, the refreshed sessions live on and the idle one has expired.
    assertThat(ids(store.all(), "all"))
        .as("live sessions after 18 minutes")
        .containsExactlyInAnyOrder(viaGet.id(), viaTouch.id(), viaUpdate.id());
    expectEmpty(store.get(idle.id()), "get of the idle session");
    Instant now = kit.clock().instant();
    assertThat(awaitValue(store.get(viaTouch.id()), "get").lastAccessedAt())
        .as("stored lastAccessedAt")
        .isEqualTo(now);
  }

  /**
   * Checks the touch threshold.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R4.3 with a touchThreshold, reads refresh lastAccessedAt only once it is older than the threshold")
  default void r4_3_touchThreshold(StoreFixture kit) {
    SessionStore store = kit.open(o -> o.with(StoreOptions.TOUCH_THRESHOLD, Duration.ofMinutes(5)));
    Instant t0 = kit.clock().instant();
    Session s = awaitValue(store.create(draft(Duration.ofMinutes(30))), "create");
    kit.clock().advance(Duration.ofMinutes(1));
    assertThat(awaitValue(store.get(s.id()), "get after 1 minute").lastAccessedAt())
        .as("lastAccessedAt after a get within the threshold")
        .isEqualTo(t0);
    assertThat(awaitValue(store.touch(s.id()), "touch after 1 minute").lastAccessedAt())
        .as("lastAccessedAt after a touch within the threshold")
        .isEqualTo(t0);
    Instant t6 = kit.clock().advance(Duration.ofMinutes(5));
    assertThat(awaitValue(store.get(s.id()), "get after 6 minutes").lastAccessedAt())
        .as("lastAccessedAt after a get past the threshold")
        .isEqualTo(t6);
    assertThat(awaitValue(store.get(s.id()), "get again").version()).as("version").isEqualTo(1L);
  }

  /**
   * Checks that reading or touching an expired session never revives it.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R4.3 get or touch of an expired session never revives it")
  default void r4_3_noRevival(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofMinutes(10), "k", "v")), "create");
    kit.clock().advance(Duration.ofMinutes(10));
    expectEmpty(store.touch(s.id()), "touch at expiry");
    expectEmpty(store.get(s.id()), "get at expiry");
    expectEmpty(store.touch(s.id()), "touch after a get at expiry");
    kit.clock().advance(Duration.ofSeconds(1));
    expectEmpty(store.get(s.id()), "get after touches of the expired session");
    assertThat(await(store.count(), "count")).as("count").isZero();
    assertThat(ids(store.all(), "all")).as("all").isEmpty();
  }

  /**
   * Checks that changing the idle limit or deadline moves expiry.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R4.4 changing maxIdle or deadline moves expiry, including to never")
  default void r4_4_changingExpiry(StoreFixture kit) {
    SessionStore store = kit.store();
    Instant t0 = kit.clock().instant();
    Session shortened =
        awaitValue(store.create(draft(Duration.ofMinutes(30), "k", "shortened")), "create");
    Session extended =
        awaitValue(
            store.create(
                SessionDraft.empty()
                    .withMaxIdle(Duration.ofMinutes(30))
                    .withDeadline(t0.plus(Duration.ofMinutes(2)))),
            "create");
    Session unlimited =
        awaitValue(
            store.create(
                SessionDraft.empty()
                    .withMaxIdle(Duration.ofMinutes(3))
                    .withDeadline(t0.plus(Duration.ofMinutes(4)))),
            "create");

    Session s1 =
        awaitValue(
            store.update(shortened.id(), x -> x.withMaxIdle(Duration.ofMinutes(1))),
            "update maxIdle");
    assertThat(s1.expiresAt())
        .as("expiresAt after shortening maxIdle")
        .isEqualTo(t0.plus(Duration.ofMinutes(1)));
    Session e1 =
        awaitValue(
            store.save(extended.withDeadline(t0.plus(Duration.ofHours(1)))),
            "save a later deadline");
    assertThat(e1.expiresAt())
        .as("expiresAt after moving the deadline")
        .isEqualTo(t0.plus(Duration.ofMinutes(30)));
    Session u1 =
        awaitValue(
            store.update(unlimited.id(), x -> x.withMaxIdle(null).withDeadline(null)),
            "update to no expiry");
    assertThat(u1.expiresAt()).as("expiresAt after removing both terms").isNull();

    kit.clock().set(t0.plus(Duration.ofMinutes(1)));
    assertThat(ids(store.all(), "all"))
        .as("live after 1 minute")
        .containsExactlyInAnyOrder(extended.id(), unlimited.id());
    kit.clock().set(t0.plus(Duration.ofMinutes(29)));
    assertThat(ids(store.all(), "all"))
        .as("live after 29 minutes (past the old deadline)")
        .containsExactlyInAnyOrder(extended.id(), unlimited.id());
    kit.clock().set(t0.plus(Duration.ofDays(3650)));
    assertThat(ids(store.all(), "all")).as("live ten years later").containsExactly(unlimited.id());
    assertThat(await(store.cleanup(), "cleanup"))
        .as("records removed by cleanup ten years later")
        .isEqualTo(2L);
    assertThat(awaitValue(store.get(unlimited.id()), "get").expiresAt())
        .as("stored expiresAt")
        .isNull();
  }

  /**
   * Checks the EXPIRED event.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R4.5 an EXPIRED event is emitted exactly once per expired session, with its last state, never for a destroyed one")
  default void r4_5_expiredEvent(StoreFixture kit) {
    SessionStore store = kit.store();
    Assumptions.assumeTrue(
        store.capabilities().has(StoreCapabilities.Capability.EVENTS),
        "the store does not declare the EVENTS capability");
    try (EventRecorder recorder = new EventRecorder(store)) {
      Session a = awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "a0")), "create a");
      kit.clock().advance(Duration.ofSeconds(10));
      Session last =
          awaitValue(store.update(a.id(), x -> x.withAttribute("k", "a-last")), "update a");
      Session b = awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "b")), "create b");
      Session c = awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "c")), "create c");
      awaitValue(store.destroy(b.id()), "destroy b");
      Instant expiry = kit.clock().advance(Duration.ofMinutes(2));
      await(store.cleanup(), "cleanup");
      await(store.cleanup(), "second cleanup");
      expectEmpty(store.get(a.id()), "get of a");
      expectEmpty(store.get(c.id()), "get of c");
      recorder.await(
          e -> e.type() == SessionEvent.Type.EXPIRED && e.sessionId().equals(a.id()),
          "EXPIRED of a");
      recorder.await(
          e -> e.type() == SessionEvent.Type.EXPIRED && e.sessionId().equals(c.id()),
          "EXPIRED of c");
      Session sentinel = awaitValue(store.create(SessionDraft.empty()), "create a sentinel");
      recorder.await(e -> e.sessionId().equals(sentinel.id()), "CREATED of the sentinel");

      List<SessionEvent> ofA =
          recorder.eventsOf(a.id()).stream()
              .filter(e -> e.type() == SessionEvent.Type.EXPIRED)
              .toList();
      assertThat(ofA).as("EXPIRED events of a (after two cleanups and a get)").hasSize(1);
      Kit.sameData(ofA.get(0).session().data(), last.data(), "data carried by EXPIRED");
      assertThat(ofA.get(0).session().version())
          .as("version carried by EXPIRED")
          .isEqualTo(last.version());
      assertThat(ofA.get(0).at())
          .as("at of EXPIRED (not before the expiry)")
          .isAfterOrEqualTo(last.expiresAt());
      assertThat(ofA.get(0).at()).as("at of EXPIRED (store clock)").isBeforeOrEqualTo(expiry);
      assertThat(recorder.eventsOf(b.id()))
          .as("events of the destroyed session b")
          .noneMatch(e -> e.type() == SessionEvent.Type.EXPIRED);
      assertThat(
              recorder.eventsOf(c.id()).stream().filter(e -> e.type() == SessionEvent.Type.EXPIRED))
          .as("EXPIRED events of c")
          .hasSize(1);
    }
  }
}
