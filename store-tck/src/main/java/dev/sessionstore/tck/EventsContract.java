package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.StoreCapabilities;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * Rule R7.1: the events of a store that declares {@link StoreCapabilities.Capability#EVENTS}. The
 * {@code EXPIRED} rule R4.5 is in {@link ExpiryContract}. Part of {@link SessionStoreTck}; adopt
 * the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface EventsContract {

  private static SessionStore eventsStore(StoreFixture kit) {
    SessionStore store = kit.store();
    Assumptions.assumeTrue(
        store.capabilities().has(StoreCapabilities.Capability.EVENTS),
        "the store does not declare the EVENTS capability");
    return store;
  }

  private static List<String> typesAndTimes(List<SessionEvent> events) {
    List<String> out = new ArrayList<>();
    for (SessionEvent event : events) {
      out.add(event.type() + "@" + event.at());
    }
    return out;
  }

  /**
   * Checks which operation emits which event, in per-id order and at the store clock's time.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R7.1 CREATED, UPDATED, DESTROYED and EXPIRED are emitted for each operation, in per-id order")
  default void r7_1_eventPerOperation(StoreFixture kit) {
    SessionStore store = eventsStore(kit);
    try (EventRecorder recorder = new EventRecorder(store)) {
      Instant t1 = kit.clock().instant();
      Session a = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0)), "create a");
      Instant t2 = kit.clock().advance(Duration.ofSeconds(1));
      awaitValue(store.get(a.id()), "get a");
      awaitValue(store.touch(a.id()), "touch a");
      Session a2 = awaitValue(store.update(a.id(), x -> x.withAttribute("n", 1)), "update a");
      Instant t3 = kit.clock().advance(Duration.ofSeconds(1));
      Session a3 = awaitValue(store.save(a2.withAttribute("n", 2)), "save a");
      Instant t4 = kit.clock().advance(Duration.ofSeconds(1));
      awaitValue(store.saveIfUnchanged(a3.withAttribute("n", 3)), "saveIfUnchanged a");
      expectError(
          store.saveIfUnchanged(a3.withAttribute("n", 99)),
          StaleSessionException.class,
          "stale saveIfUnchanged");
      Session x =
          awaitValue(
              store.save(
                  Session.builder("kit-events-" + Long.toHexString(System.nanoTime()))
                      .maxIdle(Duration.ofHours(1))
                      .build()),
              "save inserting x");
      Instant t5 = kit.clock().advance(Duration.ofSeconds(1));
      Session moved = awaitValue(store.regenerate(a.id()), "regenerate a");
      awaitValue(store.destroy(x.id()), "destroy x");
      Instant t6 = kit.clock().advance(Duration.ofSeconds(1));
      Session b = awaitValue(store.create(draft(Duration.ofHours(1))), "create b");
      Session c = awaitValue(store.create(draft(Duration.ofMinutes(1))), "create c");
      Instant t7 = kit.clock().advance(Duration.ofSeconds(1));
      await(store.clear(), "clear");
      Session d = awaitValue(store.create(draft(Duration.ofMinutes(1))), "create d");
      Instant t8 = kit.clock().advance(Duration.ofMinutes(2));
      await(store.cleanup(), "cleanup");
      Session sentinel = awaitValue(store.create(draft(Duration.ofHours(1))), "create a sentinel");
      recorder.await(e -> e.sessionId().equals(sentinel.id()), "CREATED of the sentinel");

      assertThat(typesAndTimes(recorder.eventsOf(a.id())))
          .as("events of a")
          .containsExactly(
              "CREATED@" + t1,
              "UPDATED@" + t2,
              "UPDATED@" + t3,
              "UPDATED@" + t4,
              "DESTROYED@" + t5);
      List<Long> versions =
          recorder.eventsOf(a.id()).stream().map(e -> e.session().version()).toList();
      assertThat(versions)
          .as("versions carried by the events of a")
          .containsExactly(1L, 2L, 3L, 4L, 4L);
      assertThat(typesAndTimes(recorder.eventsOf(x.id())))
          .as("events of x (inserted by save, then destroyed)")
          .containsExactly("CREATED@" + t4, "DESTROYED@" + t5);
      assertThat(typesAndTimes(recorder.eventsOf(moved.id())))
          .as("events of a's new id (regenerate, then clear)")
          .containsExactly("CREATED@" + t5, "DESTROYED@" + t7);
      assertThat(typesAndTimes(recorder.eventsOf(b.id())))
          .as("events of b (created, then cleared)")
          .containsExactly("CREATED@" + t6, "DESTROYED@" + t7);
      assertThat(typesAndTimes(recorder.eventsOf(c.id())))
          .as("events of c (created, then cleared before expiry)")
          .containsExactly("CREATED@" + t6, "DESTROYED@" + t7);
      assertThat(typesAndTimes(recorder.eventsOf(d.id())))
          .as("events of d (created, then expired and cleaned up)")
          .containsExactly("CREATED@" + t7, "EXPIRED@" + t8);
      assertThat(recorder.eventsOf(sentinel.id()).get(0).at())
          .as("at of the sentinel's event")
          .isEqualTo(t8);
      assertThat(recorder.eventsOf(moved.id()).get(0).session().data())
          .as("data carried by CREATED after regenerate")
          .isEqualTo(a3.withAttribute("n", 3).data());
    }
  }

  /**
   * Checks that a subscriber that takes nothing does not slow the store down.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R7.1 a slow subscriber never blocks store operations")
  default void r7_1_slowSubscriber(StoreFixture kit) {
    SessionStore store = eventsStore(kit);
    List<SessionEvent> slowReceived = new CopyOnWriteArrayList<>();
    BaseSubscriber<SessionEvent> slow =
        new BaseSubscriber<>() {
          @Override
          protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(1); // and never more
          }

          @Override
          protected void hookOnNext(SessionEvent value) {
            slowReceived.add(value);
          }
        };
    store.events().subscribe(slow);
    try (EventRecorder fast = new EventRecorder(store)) {
      int operations = 2000 * kit.stressScale();
      long start = System.nanoTime();
      Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0)), "create");
      for (int i = 0; i < operations; i++) {
        awaitValue(
            store.update(s.id(), x -> x.withAttribute("n", Kit.counter(x, "n") + 1)), "update");
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(slowReceived.size())
          .as("events delivered to a subscriber that requested one")
          .isLessThanOrEqualTo(1);
      assertThat(took)
          .as("time for %d updates with a stalled subscriber", operations)
          .isLessThan(Duration.ofSeconds(30));
      // The fast subscriber still gets events once the burst is over. Some of the burst may have
      // been
      // dropped for it, and so may a sentinel sent while its buffer was still full: send a few.
      boolean delivered = false;
      for (int attempt = 0; attempt < 10 && !delivered; attempt++) {
        Session sentinel = awaitValue(store.create(SessionDraft.empty()), "create a sentinel");
        delivered = fast.arrives(e -> e.sessionId().equals(sentinel.id()), Duration.ofMillis(500));
      }
      assertThat(delivered)
          .as("a sentinel event reached the fast subscriber after the burst (10 tries)")
          .isTrue();
    } finally {
      slow.dispose();
    }
  }

  /**
   * Checks that a store emits events only for its own operations.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R7.1 events are emitted only for this store instance's own operations")
  default void r7_1_ownOperationsOnly(StoreFixture kit) {
    SessionStore store = eventsStore(kit);
    SessionStore other = kit.open(o -> o);
    try (EventRecorder recorder = new EventRecorder(store)) {
      Session foreign =
          awaitValue(other.create(draft(Duration.ofHours(1))), "create in the other store");
      awaitValue(
          other.update(foreign.id(), x -> x.withAttribute("k", "v")), "update in the other store");
      await(other.destroy(foreign.id()), "destroy in the other store");
      Session own = awaitValue(store.create(draft(Duration.ofHours(1))), "create in this store");
      recorder.await(e -> e.sessionId().equals(own.id()), "CREATED of this store's session");
      assertThat(recorder.eventsOf(foreign.id()))
          .as("events of the other store's session")
          .isEmpty();
    }
  }

  /**
   * Checks that a store without EVENTS publishes nothing.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R7.1 a store without the EVENTS capability returns an empty events stream")
  default void r7_1_noEventsWithoutCapability(StoreFixture kit) {
    SessionStore store = kit.store();
    Assumptions.assumeFalse(
        store.capabilities().has(StoreCapabilities.Capability.EVENTS),
        "the store declares EVENTS; the other R7.1 tests apply");
    try (EventRecorder recorder = new EventRecorder(store)) {
      Session s = awaitValue(store.create(draft(Duration.ofHours(1))), "create");
      await(store.destroy(s.id()), "destroy");
      assertThat(recorder.events()).as("events of a store without EVENTS").isEmpty();
    }
  }

  /**
   * Checks that a subscriber that sleeps in {@code onNext} does not slow writers down.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R7.1 a subscriber that sleeps in onNext does not slow writers: 200 updates take less than half of its sleeping")
  default void r7_1_sleepingSubscriber(StoreFixture kit) {
    SessionStore store = eventsStore(kit);
    int updates = 200;
    Duration nap = Duration.ofMillis(10);
    java.util.concurrent.atomic.AtomicInteger received =
        new java.util.concurrent.atomic.AtomicInteger();
    reactor.core.Disposable sleeper =
        store
            .events()
            .subscribe(
                event -> {
                  received.incrementAndGet();
                  java.util.concurrent.locks.LockSupport.parkNanos(
                      nap.toNanos()); // a subscriber doing blocking work
                },
                error -> {});
    try {
      Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0)), "create");
      // Delivered on the writers' path, the updates would take at least updates * nap (2 s).
      Duration bound = nap.multipliedBy(updates).dividedBy(2);
      long start = System.nanoTime();
      int done = 0;
      // Past the bound the verdict is known: stop there rather than sleep through the rest.
      while (done < updates && System.nanoTime() - start < bound.toNanos()) {
        awaitValue(
            store.update(s.id(), x -> x.withAttribute("n", Kit.counter(x, "n") + 1)), "update");
        done++;
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(done)
          .as(
              "updates done in %s, while a subscriber sleeps %s per event (bound for all %d: half "
                  + "of its %s of sleeping; %d events reached it meanwhile)",
              took, nap, updates, nap.multipliedBy(updates), received.get())
          .isEqualTo(updates);
      assertThat(took).as("time for %d updates", updates).isLessThan(bound);
    } finally {
      sleeper.dispose();
    }
  }
}
