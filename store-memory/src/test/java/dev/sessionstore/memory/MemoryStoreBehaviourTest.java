package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.StoreFullException;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Behaviour particular to the memory store: its bound, claims under contention, locking, the
 * reaper.
 */
class MemoryStoreBehaviourTest {

  private final TestStores stores = new TestStores();
  private final TestClock clock = stores.clock;

  @AfterEach
  void closeStores() {
    stores.close();
  }

  private MemorySessionStore open(String uri) {
    return stores.open(uri);
  }

  private static SessionDraft draft(Duration maxIdle) {
    return SessionDraft.empty().withMaxIdle(maxIdle);
  }

  @Test
  void whenFullRejectRefusesNewSessionsUntilOneEnds() {
    MemorySessionStore store = open("memory:?maxSessions=3");
    Session a = store.create(draft(Duration.ofHours(1))).block();
    store.create(draft(Duration.ofHours(1))).block();
    Session shortLived = store.create(draft(Duration.ofMinutes(1))).block();

    assertThatThrownBy(() -> store.create(SessionDraft.empty()).block())
        .isInstanceOf(StoreFullException.class)
        .hasMessageContaining("3");
    Session foreign =
        Session.builder("not-yet-stored-id-0001").maxIdle(Duration.ofHours(1)).build();
    assertThatThrownBy(() -> store.save(foreign).block())
        .as("a save that would insert respects the bound too")
        .isInstanceOf(StoreFullException.class);
    assertThat(store.save(a.withAttribute("k", "v")).block().version())
        .as("writes of existing sessions go on")
        .isEqualTo(2L);

    assertThat(store.destroy(a.id()).block()).isTrue();
    Session afterDestroy = store.create(SessionDraft.empty()).block();
    assertThat(afterDestroy)
        .as("a destroyed session frees its place (its tombstone does not count)")
        .isNotNull();
    assertThatThrownBy(() -> store.create(SessionDraft.empty()).block())
        .isInstanceOf(StoreFullException.class);

    clock.advance(Duration.ofMinutes(2));
    assertThat(store.create(SessionDraft.empty()).block())
        .as("an expired session frees its place without an explicit cleanup")
        .isNotNull();
    assertThat(store.get(shortLived.id()).block()).isNull();
    assertThat(store.count().block()).isEqualTo(3L);
  }

  @Test
  void whenFullEvictMakesRoomAndSaysSo() {
    MemorySessionStore store = open("memory:?maxSessions=10&whenFull=evict&eventBuffer=1000");
    List<SessionEvent> events = new CopyOnWriteArrayList<>();
    Disposable subscription = store.events().subscribe(events::add);
    try {
      for (int i = 0; i < 50; i++) {
        assertThat(store.create(draft(Duration.ofHours(1))).block()).isNotNull();
      }
      store.cleanup().block();
      assertThat(store.count().block())
          .as("live sessions after 50 creates in a store of 10")
          .isEqualTo(10L);
      long destroyed = waitForEvents(events, e -> e.type() == SessionEvent.Type.DESTROYED, 40);
      assertThat(destroyed).as("DESTROYED events for evicted sessions").isEqualTo(40L);
      assertThat(events).noneMatch(e -> e.type() == SessionEvent.Type.EXPIRED);
    } finally {
      subscription.dispose();
    }
  }

  @Test
  void concurrentExclusiveClaimsHaveExactlyOneWinner() throws Exception {
    MemorySessionStore store = open("memory:");
    int threads = 16;
    for (int round = 0; round < 20; round++) {
      String principal = "user-" + round;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean viaUpdate = t % 2 == 0;
        Session plain = store.create(draft(Duration.ofHours(1))).block();
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    if (viaUpdate) {
                      store.update(plain.id(), s -> s.withPrincipal(principal, true)).block();
                    } else {
                      store
                          .create(draft(Duration.ofHours(1)).withPrincipal(principal, true))
                          .block();
                    }
                    return true;
                  } catch (PrincipalConflictException e) {
                    return false;
                  }
                }));
      }
      start.countDown();
      int winners = 0;
      for (Future<Boolean> result : results) {
        winners += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      pool.shutdown();
      assertThat(winners)
          .as("successful exclusive claims of %s by %d threads", principal, threads)
          .isEqualTo(1);
      assertThat(store.findByPrincipal(principal).collectList().block())
          .hasSize(1)
          .allMatch(Session::exclusive);
    }
  }

  @Test
  void aHolderWhoseClaimWasTakenOverStaysExpiredEvenIfTheClockGoesBack() {
    MemorySessionStore store = open("memory:");
    Session holder =
        store.create(draft(Duration.ofMinutes(1)).withPrincipal("alice", true)).block();
    clock.advance(Duration.ofMinutes(1));
    Session taker = store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)).block();
    clock.set(Instant.parse("2030-01-01T00:00:30Z")); // the old holder would look live again
    assertThat(store.get(holder.id()).block())
        .as("get of the holder whose claim was taken")
        .isNull();
    assertThat(store.update(holder.id(), s -> s.withAttribute("k", "v")).block()).isNull();
    assertThat(store.findByPrincipal("alice").map(Session::id).collectList().block())
        .containsExactly(taker.id());
    assertThat(store.count().block()).isEqualTo(1L);
  }

  @Test
  void regenerateMovesTheClaimAndTombstonesTheOldId() {
    MemorySessionStore store = open("memory:");
    Session holder = store.create(draft(Duration.ofHours(1)).withPrincipal("alice", true)).block();
    Session moved = store.regenerate(holder.id()).block();
    assertThat(moved.id()).isNotEqualTo(holder.id());
    assertThat(moved.exclusive()).isTrue();
    assertThat(moved.createdAt()).isEqualTo(holder.createdAt());
    assertThatThrownBy(() -> store.save(holder).block())
        .isInstanceOf(SessionDestroyedException.class);
    assertThatThrownBy(
            () -> store.create(SessionDraft.empty().withPrincipal("alice", false)).block())
        .isInstanceOf(PrincipalConflictException.class);
    assertThat(store.destroy(moved.id()).block()).isTrue();
    assertThat(store.create(SessionDraft.empty().withPrincipal("alice", true)).block().exclusive())
        .isTrue();
  }

  @Test
  void aChangeThatCallsTheStoreFailsAndWritesNothing() {
    MemorySessionStore store = open("memory:");
    Session s = store.create(draft(Duration.ofHours(1))).block();
    assertThatThrownBy(
            () ->
                store
                    .update(
                        s.id(),
                        x -> {
                          store.get(x.id()).block();
                          return x.withAttribute("k", "v");
                        })
                    .block())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("change");
    Session read = store.get(s.id()).block();
    assertThat(read.version()).isEqualTo(1L);
    assertThat(read.data().isEmpty()).isTrue();
  }

  @Test
  void anUpdateHeldOnOneIdDoesNotHoldUpOthers() throws Exception {
    MemorySessionStore store = open("memory:");
    Session held = store.create(draft(Duration.ofHours(1))).block();
    List<Session> others = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      others.add(store.create(draft(Duration.ofHours(1))).block());
    }
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService slowPool = Executors.newSingleThreadExecutor();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      Future<Session> slow =
          slowPool.submit(
              () ->
                  store
                      .update(
                          held.id(),
                          x -> {
                            inside.countDown();
                            try {
                              release.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                            return x.withAttribute("slow", true);
                          })
                      .block());
      assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
      AtomicInteger done = new AtomicInteger();
      List<Future<?>> fast = new ArrayList<>();
      for (Session other : others) {
        fast.add(
            pool.submit(
                () -> {
                  store.update(other.id(), x -> x.withAttribute("fast", true)).block();
                  done.incrementAndGet();
                }));
      }
      // Only an id sharing the held id's hash bin (a few of 64 at most) may wait for it.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (done.get() < 56 && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      assertThat(slow.isDone()).as("the held update is still held").isFalse();
      assertThat(done.get())
          .as("updates of 64 other ids completed while one id was held")
          .isGreaterThanOrEqualTo(56);
      release.countDown();
      assertThat(slow.get(5, TimeUnit.SECONDS).version()).isEqualTo(2L);
      for (Future<?> f : fast) {
        f.get(5, TimeUnit.SECONDS);
      }
      assertThat(done.get()).isEqualTo(64);
    } finally {
      release.countDown();
      pool.shutdownNow();
      slowPool.shutdownNow();
    }
  }

  @Test
  void expiredEventsFireByThemselvesWithinASecondOnTheSystemClock() {
    // The one test on real time: it checks the store's own timer, which only real time drives.
    MemorySessionStore store = stores.track(MemorySessionStore.open(StoreOptions.parse("memory:")));
    List<SessionEvent> events = new CopyOnWriteArrayList<>();
    Disposable subscription = store.events().subscribe(events::add);
    try {
      List<Session> sessions = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        sessions.add(
            store
                .create(
                    SessionDraft.of(dev.sessionstore.SessionData.of(java.util.Map.of("i", i)))
                        .withMaxIdle(Duration.ofMillis(150 + 100L * i)))
                .block());
      }
      long expired = waitForEvents(events, e -> e.type() == SessionEvent.Type.EXPIRED, 5);
      assertThat(expired).as("EXPIRED events without any call to the store").isEqualTo(5L);
      for (Session s : sessions) {
        SessionEvent e =
            events.stream()
                .filter(x -> x.sessionId().equals(s.id()) && x.type() == SessionEvent.Type.EXPIRED)
                .findFirst()
                .orElseThrow();
        Duration late = Duration.between(s.expiresAt(), e.at());
        System.out.println("EXPIRED " + late.toMillis() + " ms after the expiry");
        assertThat(late)
            .as("lateness of EXPIRED")
            .isGreaterThanOrEqualTo(Duration.ZERO)
            .isLessThan(Duration.ofSeconds(1));
        assertThat(e.session().data()).isEqualTo(s.data());
      }
    } finally {
      subscription.dispose();
    }
  }

  /**
   * Waits (up to 5 s) until the asynchronously delivered events contain {@code expected} matches.
   */
  static long waitForEvents(
      List<SessionEvent> events, java.util.function.Predicate<SessionEvent> match, long expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long count;
    while ((count = events.stream().filter(match).count()) < expected
        && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return events.stream().filter(match).count();
  }
}
