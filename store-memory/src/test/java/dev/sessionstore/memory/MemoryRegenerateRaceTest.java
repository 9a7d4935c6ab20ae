package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC R1.4 under real threads: {@code regenerate} is atomic against {@code update} and {@code
 * destroy} of the old id. Counts, no sleeps: every round starts its racers behind one latch.
 */
class MemoryRegenerateRaceTest {

  private static final int ROUNDS = 300;
  private static final int UPDATERS = 3;

  private final TestStores stores = new TestStores();
  private final ExecutorService pool = Executors.newFixedThreadPool(UPDATERS + 1);

  @AfterEach
  void close() {
    pool.shutdownNow();
    stores.close();
  }

  @Test
  void everyUpdateAcknowledgedOnTheOldIdIsInTheRegeneratedSession() throws Exception {
    MemorySessionStore store = stores.open("memory:");
    long acknowledgedTotal = 0;
    long lateUpdates = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Session s = store.create(SessionDraft.of(SessionData.of(Map.of("n", 0L)))).block();
      String old = s.id();
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> updaters = new ArrayList<>();
      for (int u = 0; u < UPDATERS; u++) {
        updaters.add(
            pool.submit(
                () -> {
                  start.await();
                  int acknowledged = 0;
                  for (int i = 0; i < 20; i++) {
                    Session after =
                        store
                            .update(old, x -> x.withAttribute("n", (Long) x.attribute("n") + 1))
                            .block();
                    if (after != null) {
                      acknowledged++;
                    }
                  }
                  return acknowledged;
                }));
      }
      Future<Session> regenerated =
          pool.submit(
              (Callable<Session>)
                  () -> {
                    start.await();
                    return store.regenerate(old).block();
                  });
      start.countDown();
      int acknowledged = 0;
      for (Future<Integer> f : updaters) {
        acknowledged += f.get();
      }
      Session moved = regenerated.get();
      assertThat(moved).isNotNull();
      assertThat(store.get(old).block()).as("the old id reads empty").isNull();
      assertThat(store.get(moved.id()).block().attribute("n"))
          .as("round %d: the new session holds every update acknowledged on the old id", round)
          .isEqualTo((long) acknowledged);
      acknowledgedTotal += acknowledged;
      lateUpdates += UPDATERS * 20L - acknowledged;
    }
    System.out.printf(
        "regenerate vs update: %d rounds, %d updates acknowledged and carried over, "
            + "%d after the regenerate answered empty%n",
        ROUNDS, acknowledgedTotal, lateUpdates);
    assertThat(acknowledgedTotal).as("the race was real: some updates came first").isPositive();
  }

  @Test
  void ofADestroyAndARegenerateOfOneIdExactlyOneSucceeds() throws Exception {
    MemorySessionStore store = stores.open("memory:");
    int destroyWon = 0;
    int regenerateWon = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String old = store.create(SessionDraft.empty().withPrincipal("p" + round, true)).block().id();
      CountDownLatch start = new CountDownLatch(1);
      Future<Boolean> destroyed =
          pool.submit(
              () -> {
                start.await();
                return store.destroy(old).block();
              });
      Future<Session> regenerated =
          pool.submit(
              (Callable<Session>)
                  () -> {
                    start.await();
                    return store.regenerate(old).block();
                  });
      start.countDown();
      boolean d = destroyed.get();
      Session r = regenerated.get();
      assertThat(d ^ (r != null))
          .as("round %d: exactly one of destroy and regenerate succeeds", round)
          .isTrue();
      if (d) {
        destroyWon++;
        assertThat(store.findByPrincipal("p" + round).collectList().block()).isEmpty();
      } else {
        regenerateWon++;
        assertThat(store.findByPrincipal("p" + round).collectList().block())
            .extracting(Session::id)
            .containsExactly(r.id());
      }
    }
    System.out.printf(
        "destroy vs regenerate: %d rounds, destroy won %d, regenerate won %d%n",
        ROUNDS, destroyWon, regenerateWon);
    assertThat(destroyWon + regenerateWon).isEqualTo(ROUNDS);
  }
}
