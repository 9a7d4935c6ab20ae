package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.StoreFullException;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The SPEC rules the memory store's rooms implement, checked on a test clock with the store's
 * periodic work on a virtual-time scheduler: nothing here runs unless the test says so.
 */
class MemoryStoreRulesTest {

  private final TestClock clock = new TestClock(java.time.Instant.parse("2030-01-01T00:00:00Z"));
  private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
  private final List<MemorySessionStore> opened = new CopyOnWriteArrayList<>();
  private final List<SessionEvent> events = new CopyOnWriteArrayList<>();
  private final List<Disposable> subscriptions = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    subscriptions.forEach(Disposable::dispose);
    opened.forEach(MemorySessionStore::close);
    scheduler.dispose();
  }

  private MemorySessionStore open(String uri) {
    MemorySessionStore store =
        MemorySessionStore.builder()
            .uri(uri)
            .option(StoreOptions.CLOCK, clock)
            .option(StoreOptions.SCHEDULER, scheduler)
            .build();
    opened.add(store);
    subscriptions.add(store.events().subscribe(events::add));
    return store;
  }

  private long eventsOf(String id, SessionEvent.Type type, long expected) {
    return MemoryStoreBehaviourTest.waitForEvents(
        events, e -> e.sessionId().equals(id) && e.type() == type, expected);
  }

  @Test
  void r32DestroyOfAnExpiredStillStoredSessionLeavesATombstoneAndItsOneExpired() {
    MemorySessionStore store = open("memory:");
    Session s = store.create(SessionDraft.empty().withMaxIdle(Duration.ofMinutes(1))).block();
    clock.advance(Duration.ofMinutes(2));

    assertThat(store.destroy(s.id()).block()).as("it was not live").isFalse();
    assertThatThrownBy(() -> store.save(s).block())
        .as("an in-flight write-back cannot revive it")
        .isInstanceOf(SessionDestroyedException.class);
    assertThat(store.cleanup().block())
        .as("the expired session, removed when destroy noticed it; the young tombstone stays")
        .isEqualTo(1L);
    assertThatThrownBy(() -> store.save(s).block()).isInstanceOf(SessionDestroyedException.class);
    assertThat(eventsOf(s.id(), SessionEvent.Type.EXPIRED, 1)).isEqualTo(1L);
    assertThat(eventsOf(s.id(), SessionEvent.Type.DESTROYED, 0))
        .as("not destroyed while live")
        .isZero();
  }

  @Test
  void r34TheTombstoneAgesFromTheDestroyNotFromTheLastAccess() {
    MemorySessionStore store = open("memory:?tombstoneGrace=10m");
    Session s = store.create(SessionDraft.empty().withMaxIdle(Duration.ofHours(1))).block();
    clock.advance(Duration.ofMinutes(30));
    assertThat(store.destroy(s.id()).block()).isTrue();
    clock.advance(Duration.ofMinutes(9));
    store.cleanup().block();
    assertThatThrownBy(() -> store.save(s).block()).isInstanceOf(SessionDestroyedException.class);
    clock.advance(Duration.ofMinutes(2));
    assertThat(store.cleanup().block())
        .as("the tombstone, 11 minutes after the destroy")
        .isEqualTo(1L);
    assertThat(store.save(s).block()).as("the id is free again").isNotNull();
  }

  @Test
  void r42AtExactlyExpiresAtEveryWriteTreatsTheSessionAsExpired() {
    MemorySessionStore store = open("memory:");
    Session s = store.create(SessionDraft.empty().withMaxIdle(Duration.ofMinutes(1))).block();
    clock.advance(Duration.ofMinutes(1));
    assertThat(store.update(s.id(), x -> x.withAttribute("k", 1)).block()).isNull();
    assertThatThrownBy(() -> store.saveIfUnchanged(s).block())
        .isInstanceOf(StaleSessionException.class);
    assertThat(store.touch(s.id()).block()).isNull();
    assertThat(eventsOf(s.id(), SessionEvent.Type.EXPIRED, 1)).isEqualTo(1L);
  }

  @Test
  void r43SaveRefreshesLastAccessedAtAndNeverMovesTheDeadline() {
    MemorySessionStore store = open("memory:");
    java.time.Instant deadline = clock.instant().plus(Duration.ofHours(1));
    Session s = store.create(SessionDraft.empty().withDeadline(deadline)).block();
    clock.advance(Duration.ofMinutes(5));
    Session saved = store.save(s.withAttribute("k", "v")).block();
    assertThat(saved.lastAccessedAt()).isEqualTo(clock.instant());
    assertThat(saved.deadline()).isEqualTo(deadline);
    clock.advance(Duration.ofMinutes(5));
    Session again = store.saveIfUnchanged(saved).block();
    assertThat(again.lastAccessedAt()).isEqualTo(clock.instant());
    assertThat(again.deadline()).isEqualTo(deadline);
  }

  @Test
  void r52AWriteThatDropsExclusiveReleasesTheClaimAtOnce() {
    MemorySessionStore store = open("memory:");
    Session holder = store.create(SessionDraft.empty().withPrincipal("alice", true)).block();
    store.update(holder.id(), x -> x.withPrincipal("alice", false)).block();
    assertThat(store.create(SessionDraft.empty().withPrincipal("alice", true)).block())
        .as("the claim was released by the update")
        .isNotNull();
  }

  @Test
  void theReaperRunsOnTheSchedulerOption() {
    MemorySessionStore store = open("memory:?cleanupInterval=1m");
    Session s = store.create(SessionDraft.empty().withMaxIdle(Duration.ofMinutes(1))).block();
    clock.advance(Duration.ofMinutes(2));
    assertThat(eventsOf(s.id(), SessionEvent.Type.EXPIRED, 0)).as("nothing ran yet").isZero();
    scheduler.advanceTimeBy(Duration.ofMinutes(1));
    assertThat(eventsOf(s.id(), SessionEvent.Type.EXPIRED, 1))
        .as("the scheduled cleanup, with no call to the store")
        .isEqualTo(1L);
    assertThat(store.cleanup().block()).as("already reported by the scheduled run").isZero();
  }

  @Test
  void timeoutIsACommonOptionEvenHere() {
    assertThat(open("memory:?timeout=5s").count().block()).isZero();
  }

  @Test
  void misuseIsSignalledNotThrown() {
    MemorySessionStore store = open("memory:");
    Mono<Session> create = store.create(null);
    assertThatThrownBy(create::block)
        .isInstanceOf(NullPointerException.class)
        .hasMessage("draft is null");
    Mono<Session> update = store.update("abc", null);
    assertThatThrownBy(update::block)
        .isInstanceOf(NullPointerException.class)
        .hasMessage("change is null");
    assertThatThrownBy(() -> store.save(null).block()).hasMessage("session is null");
    assertThatThrownBy(() -> store.findByPrincipal("\uD800").collectList().block())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate");
    assertThat(store.get(null).block()).as("a null id is a malformed id: empty").isNull();
    store.close();
    Mono<Long> count = store.count();
    assertThatThrownBy(count::block)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the memory session store is closed");
  }

  @Test
  void theBuilderChecksLikeTheUri() {
    MemorySessionStore store =
        MemorySessionStore.builder()
            .maxSessions(1)
            .option(StoreOptions.CLOCK, clock)
            .option(StoreOptions.SCHEDULER, scheduler)
            .build();
    opened.add(store);
    store.create(SessionDraft.empty()).block();
    assertThatThrownBy(() -> store.create(SessionDraft.empty()).block())
        .isInstanceOf(StoreFullException.class);
    assertThatThrownBy(() -> MemorySessionStore.builder().maxSessions(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("option maxSessions=0 is invalid: must be between 1 and " + Long.MAX_VALUE);
  }
}
