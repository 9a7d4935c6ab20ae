package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The expiry timer on the system clock, racing with the reads and updates that keep sessions alive
 * (SPEC R4.3, R4.5). Refreshes only move deadlines later and touch no bucket; the timer finds the
 * refreshed session in the old bucket and looks again later. Proved with counts: no session that is
 * kept alive expires, every session left alone expires exactly once, by itself, soon after its
 * expiry, and none expires early.
 */
class MemoryExpiryTimerTest {

  private static final int SESSIONS = 1_000;
  private static final Duration IDLE = Duration.ofMillis(200);

  /** How late an EXPIRED may arrive here: the rule's 1 s, plus slack for a loaded CI machine. */
  private static final Duration ALLOWED_LATENESS = Duration.ofSeconds(3);

  @Test
  void keptSessionsNeverExpireAndLeftOnesExpireOnceByThemselves() throws Exception {
    MemorySessionStore store =
        MemorySessionStore.open(StoreOptions.parse("memory:?eventBuffer=100000"));
    ConcurrentLinkedQueue<SessionEvent> events = new ConcurrentLinkedQueue<>();
    Map<String, Instant> arrivals = new java.util.concurrent.ConcurrentHashMap<>();
    Disposable subscription =
        store
            .events()
            .subscribe(
                e -> {
                  events.add(e);
                  if (e.type() == SessionEvent.Type.EXPIRED) {
                    arrivals.putIfAbsent(e.sessionId(), Instant.now());
                  }
                });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<String> kept = new ArrayList<>();
      List<String> left = new ArrayList<>();
      for (int i = 0; i < SESSIONS; i++) {
        Session s = store.create(SessionDraft.empty().withMaxIdle(IDLE)).block();
        (i % 2 == 0 ? kept : left).add(s.id());
      }
      // Two threads keep their half of the kept sessions alive for 1.5 s: a get or an update
      // every few milliseconds each, far within the 200 ms idle limit.
      AtomicBoolean keeping = new AtomicBoolean(true);
      List<Future<Long>> keepers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        List<String> mine = kept.subList(t * kept.size() / 2, (t + 1) * kept.size() / 2);
        keepers.add(
            pool.submit(
                () -> {
                  long refreshes = 0;
                  while (keeping.get()) {
                    for (String id : mine) {
                      Session s =
                          refreshes % 3 == 0
                              ? store.update(id, x -> x.withAttribute("n", 1L)).block()
                              : store.get(id).block();
                      assertThat(s).as("a kept session while kept alive").isNotNull();
                      refreshes++;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                  }
                  return refreshes;
                }));
      }
      Thread.sleep(1_500); // real time passing is what this test is about: it waits for nothing
      keeping.set(false);
      long refreshes = 0;
      for (Future<Long> keeper : keepers) {
        refreshes += keeper.get(30, TimeUnit.SECONDS);
      }
      Instant stoppedKeeping = Instant.now();
      assertThat(refreshes).as("refreshes of kept sessions").isGreaterThan(10L * kept.size());

      // Nobody calls the store from here on: every session must expire by itself.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (arrivals.size() < SESSIONS && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // any duplicate arrives by now

      Map<String, List<SessionEvent>> expired = new HashMap<>();
      for (SessionEvent e : events) {
        if (e.type() == SessionEvent.Type.EXPIRED) {
          expired.computeIfAbsent(e.sessionId(), k -> new ArrayList<>()).add(e);
        }
      }
      assertThat(store.droppedEvents()).as("dropped events").isZero();
      Duration latest = Duration.ZERO;
      for (String id : kept) {
        List<SessionEvent> mine = expired.getOrDefault(id, List.of());
        assertThat(mine).as("EXPIRED events of a kept session").hasSize(1);
        assertThat(arrivals.get(id))
            .as("EXPIRED of a kept session arrives after it was no longer kept alive")
            .isAfter(stoppedKeeping.minus(IDLE));
      }
      for (String id : left) {
        assertThat(expired.getOrDefault(id, List.of()))
            .as("EXPIRED events of a session left alone")
            .hasSize(1);
      }
      for (List<SessionEvent> mine : expired.values()) {
        SessionEvent e = mine.get(0);
        Instant expiry = e.session().expiresAt();
        assertThat(e.at()).as("EXPIRED is not early").isAfterOrEqualTo(expiry);
        Duration late = Duration.between(expiry, arrivals.get(e.sessionId()));
        latest = late.compareTo(latest) > 0 ? late : latest;
      }
      System.out.printf(
          "MemoryExpiryTimerTest: %d EXPIRED, the latest %d ms after its expiry%n",
          expired.size(), latest.toMillis());
      assertThat(latest).as("latest EXPIRED after its expiry").isLessThan(ALLOWED_LATENESS);
    } finally {
      pool.shutdownNow();
      subscription.dispose();
      store.close();
    }
  }
}
