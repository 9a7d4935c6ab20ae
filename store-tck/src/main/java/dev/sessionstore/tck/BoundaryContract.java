package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectEmpty;
import static dev.sessionstore.tck.Kit.expectError;
import static dev.sessionstore.tck.Kit.expectValue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.StoreCapabilities;
import dev.sessionstore.StoreOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;

/**
 * Edges of the rules where stores tend to be off by one step: writes at exactly {@code expiresAt},
 * reads that move the deadline, cleanup after a refresh, the age of a tombstone, destroy of an
 * expired session, claims released by {@code save}, versions past small-integer caches, and {@code
 * EXPIRED} exactly once whichever path notices first (also on the system clock, with no call from
 * the user). Part of {@link SessionStoreTck}; adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface BoundaryContract {

  /**
   * Checks every write at exactly expiresAt.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R4.2 at exactly expiresAt every write treats the session as expired: update and touch empty, saveIfUnchanged stale, save inserts anew")
  default void r4_2_writesAtExactlyExpiresAt(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofMinutes(10), "k", "v")), "create");
    Instant expiry =
        Objects.requireNonNull(s.expiresAt(), "expiresAt of a session with an idle limit");
    kit.clock().set(expiry);
    expectEmpty(
        store.update(s.id(), x -> x.withAttribute("k", "late")), "update at exactly expiresAt");
    expectEmpty(store.touch(s.id()), "touch at exactly expiresAt");
    expectError(
        store.saveIfUnchanged(s.withAttribute("k", "late")),
        StaleSessionException.class,
        "saveIfUnchanged at exactly expiresAt");
    Session inserted =
        awaitValue(store.save(s.withAttribute("k", "anew")), "save at exactly expiresAt");
    assertThat(inserted.version())
        .as("version of a save at exactly expiresAt (inserted anew)")
        .isEqualTo(1L);

    Session d =
        awaitValue(
            store.create(Kit.withDeadline(kit, Duration.ofMinutes(5))), "create with deadline");
    kit.clock().set(Objects.requireNonNull(d.deadline(), "deadline of a session created with one"));
    expectEmpty(
        store.update(d.id(), x -> x.withAttribute("k", "late")), "update at exactly the deadline");
    expectEmpty(store.get(d.id()), "get at exactly the deadline");
  }

  /**
   * Checks that reads before the deadline keep it.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R4.3 get and touch before the deadline never drop or move it")
  default void r4_3_readsKeepTheDeadline(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(Kit.withDeadline(kit, Duration.ofMinutes(30))), "create");
    Instant deadline =
        Objects.requireNonNull(s.deadline(), "deadline of a session created with one");
    for (int i = 1; i <= 4; i++) {
      kit.clock().advance(Duration.ofMinutes(5));
      Session read = awaitValue(store.get(s.id()), "get " + (5 * i) + " minutes after create");
      assertThat(read.deadline())
          .as("deadline returned by a get after %d minutes", 5 * i)
          .isEqualTo(deadline);
      Session touched = awaitValue(store.touch(s.id()), "touch");
      assertThat(touched.deadline()).as("deadline returned by touch").isEqualTo(deadline);
    }
    assertThat(awaitValue(store.get(s.id()), "get").expiresAt())
        .as("expiresAt after reads")
        .isEqualTo(deadline);
    kit.clock().set(deadline);
    expectEmpty(
        store.get(s.id()), "get at the deadline, after reads that refreshed lastAccessedAt");
  }

  /**
   * Checks that cleanup honours a refresh by a read.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R3.4 cleanup after a refresh by get keeps the session")
  default void r3_4_cleanupAfterRefreshKeeps(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofMinutes(10), "k", "v")), "create");
    kit.clock().advance(Duration.ofMinutes(8));
    awaitValue(store.get(s.id()), "get 8 minutes later (refreshes lastAccessedAt)");
    kit.clock().advance(Duration.ofMinutes(8));
    assertThat(await(store.cleanup(), "cleanup 16 minutes after create, 8 after the refresh"))
        .as("records cleanup removed 8 minutes after a refresh (idle limit 10 minutes)")
        .isZero();
    assertThat(awaitValue(store.get(s.id()), "get after cleanup").attribute("k")).isEqualTo("v");
  }

  /**
   * Checks that a tombstone's age counts from the destroy.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R3.4 a tombstone ages from the destroy, never from the session's last access")
  default void r3_4_tombstoneAgesFromDestroy(StoreFixture kit) {
    SessionStore store =
        kit.open(o -> o.with(StoreOptions.TOMBSTONE_GRACE, Duration.ofMinutes(10)));
    Session s = awaitValue(store.create(draft(Duration.ofHours(2), "k", "v")), "create");
    kit.clock().advance(Duration.ofMinutes(50));
    expectValue(store.destroy(s.id()), true, "destroy 50 minutes after the last access");
    kit.clock().advance(Duration.ofMinutes(5));
    assertThat(await(store.cleanup(), "cleanup 5 minutes after the destroy"))
        .as("records removed")
        .isZero();
    expectError(
        store.save(s.withAttribute("k", "back")),
        SessionDestroyedException.class,
        "save 5 minutes after the destroy (grace 10 minutes)");
    kit.clock().advance(Duration.ofMinutes(6));
    assertThat(await(store.cleanup(), "cleanup 11 minutes after the destroy"))
        .as("tombstones removed")
        .isEqualTo(1L);
  }

  /**
   * Checks destroy of an expired session that the store still holds.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R3.2 destroy of an expired but still stored session answers false and leaves a tombstone")
  default void r3_2_destroyOfExpiredLeavesTombstone(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "v")), "create");
    kit.clock().advance(Duration.ofMinutes(2));
    expectValue(store.destroy(s.id()), false, "destroy of an expired session");
    expectError(
        store.save(s.withAttribute("k", "back")),
        SessionDestroyedException.class,
        "save after destroying the expired session");
    expectEmpty(store.get(s.id()), "get after destroying the expired session");
    assertThat(await(store.count(), "count")).as("count").isZero();
  }

  /**
   * Checks that save and saveIfUnchanged release a claim.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R5.2 save and saveIfUnchanged that unbind the principal or drop exclusive release the claim at once")
  default void r5_2_claimReleasedBySave(StoreFixture kit) {
    SessionStore store = kit.store();
    Session holder =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)), "claim alice");
    awaitValue(store.save(holder.withPrincipal(null, false)), "save unbinding alice");
    Session second =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)),
            "claim alice after save unbound her");
    awaitValue(
        store.saveIfUnchanged(second.withPrincipal("alice", false)),
        "saveIfUnchanged dropping exclusive");
    Session third =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)),
            "claim alice after saveIfUnchanged dropped exclusive");
    Session bob =
        awaitValue(
            store.create(draft(Duration.ofHours(1)).withPrincipal("bob", true)), "claim bob");
    awaitValue(
        store.save(bob.withPrincipal("carol", false)), "save moving the session from bob to carol");
    awaitValue(
        store.create(draft(Duration.ofHours(1)).withPrincipal("bob", true)),
        "claim bob after save moved his session");
    expectError(
        store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)),
        PrincipalConflictException.class,
        "a second claim of alice while " + Session.redact(third.id()) + " holds it");
  }

  /**
   * Checks compare-and-set past the small-integer cache.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.3 compare-and-set works after hundreds of writes (versions beyond small-integer caches)")
  default void r2_3_largeVersions(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0L)), "create");
    for (int i = 0; i < 300; i++) {
      awaitValue(
          store.update(s.id(), x -> x.withAttribute("n", Kit.counter(x, "n") + 1)), "update " + i);
    }
    Session read = awaitValue(store.get(s.id()), "get at version 301");
    assertThat(read.version()).as("version after 300 updates").isEqualTo(301L);
    Session cas =
        awaitValue(
            store.saveIfUnchanged(read.withAttribute("n", -1L)), "saveIfUnchanged at version 301");
    assertThat(cas.version()).as("version after saveIfUnchanged").isEqualTo(302L);
    expectError(
        store.saveIfUnchanged(read.withAttribute("n", -2L)),
        StaleSessionException.class,
        "saveIfUnchanged of version 301 when 302 is stored");
    for (int i = 0; i < 200; i++) {
      Session current = awaitValue(store.get(s.id()), "get");
      awaitValue(
          store.saveIfUnchanged(current.withAttribute("n", (long) i)),
          "saveIfUnchanged at version " + current.version());
    }
    assertThat(awaitValue(store.get(s.id()), "get").version())
        .as("version after 200 more")
        .isEqualTo(502L);
  }

  /**
   * Checks EXPIRED exactly once whichever operation notices first.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R4.5 EXPIRED exactly once whichever path notices first: get, then cleanup, then more reads and writes")
  default void r4_5_expiredOnceWhicheverPath(StoreFixture kit) {
    SessionStore store = kit.store();
    Assumptions.assumeTrue(
        store.capabilities().has(StoreCapabilities.Capability.EVENTS),
        "the store does not declare the EVENTS capability");
    try (EventRecorder recorder = new EventRecorder(store)) {
      Session a = awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "a")), "create a");
      Session b = awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "b")), "create b");
      kit.clock().advance(Duration.ofMinutes(2));
      expectEmpty(store.get(a.id()), "get of expired a");
      expectEmpty(store.touch(b.id()), "touch of expired b");
      await(store.count(), "count");
      await(store.all().collectList(), "all");
      await(store.cleanup(), "cleanup");
      expectEmpty(store.get(a.id()), "get of a after cleanup");
      expectEmpty(
          store.update(b.id(), x -> x.withAttribute("k", "late")), "update of b after cleanup");
      await(store.destroy(a.id()), "destroy of a after it expired");
      await(store.cleanup(), "second cleanup");
      Session sentinel = awaitValue(store.create(draft(Duration.ofHours(1))), "create a sentinel");
      recorder.await(e -> e.sessionId().equals(sentinel.id()), "CREATED of the sentinel");
      for (Session s : List.of(a, b)) {
        List<SessionEvent> expired =
            recorder.eventsOf(s.id()).stream()
                .filter(e -> e.type() == SessionEvent.Type.EXPIRED)
                .toList();
        assertThat(expired)
            .as("EXPIRED events of session %s (%s)", Session.redact(s.id()), s.attribute("k"))
            .hasSize(1);
      }
    }
  }

  /**
   * Checks that EXPIRED comes by itself on the system clock.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R4.5 on the system clock, EXPIRED arrives within 1 s of expiry with no call from the user")
  default void r4_5_expiredByItselfOnTheSystemClock(StoreFixture kit) {
    // The one kit test on real time: the store's own clock and scheduler, its default cleanup
    // interval.
    SessionStore store =
        kit.open(
            o ->
                o.with(StoreOptions.CLOCK, Clock.systemUTC())
                    .with(StoreOptions.SCHEDULER, null)
                    .with(
                        StoreOptions.CLEANUP_INTERVAL,
                        StoreOptions.CLEANUP_INTERVAL.defaultValue()));
    Assumptions.assumeTrue(
        store.capabilities().has(StoreCapabilities.Capability.EVENTS),
        "the store does not declare the EVENTS capability");
    try (EventRecorder recorder = new EventRecorder(store)) {
      Session s =
          awaitValue(
              store.create(draft(Duration.ofMillis(300), "k", "v")), "create, idle limit 300 ms");
      // 1 s is the rule; the kit allows 9 s more so that a busy machine never fails a correct
      // store. A
      // store that waits for its cleanup interval (1 minute by default) still fails.
      Duration allowed = Duration.ofSeconds(10);
      Instant expiry =
          Objects.requireNonNull(s.expiresAt(), "expiresAt of a session with an idle limit");
      boolean arrived =
          recorder.arrives(
              e -> e.type() == SessionEvent.Type.EXPIRED && e.sessionId().equals(s.id()),
              Duration.between(Instant.now(), expiry).plus(allowed));
      assertThat(arrived)
          .as(
              "EXPIRED of a session with a 300 ms idle limit, no call after create, within %s of "
                  + "expiry (default cleanup interval %s)",
              allowed, StoreOptions.CLEANUP_INTERVAL.defaultValue())
          .isTrue();
    }
  }
}
