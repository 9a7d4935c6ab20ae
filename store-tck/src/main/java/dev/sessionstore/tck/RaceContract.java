package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.counter;
import static dev.sessionstore.tck.Kit.draft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.StoreCapabilities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Narrow races, caught by many short rounds ({@link Rounds}): 2 to 8 racers on a fresh id or
 * principal per round, started together, half of them on Reactor's parallel scheduler. A check and
 * a write done in two steps (an exclusive claim, a compare-and-set, an update's commit, a read that
 * writes back, a regenerate) loses in a fraction of rounds, and hundreds of rounds make that
 * fraction show. Counts scale with {@link SessionStoreTck#stressScale()}. Part of {@link
 * SessionStoreTck}; adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface RaceContract {

  /** Rounds per test at scale 1. */
  int ROUNDS = 400;

  /**
   * At most this many problems are listed in a failure message; the count says how many there were.
   */
  int SHOWN = 5;

  private static void report(List<String> problems, int rounds, String what) {
    List<String> shown = problems.size() <= SHOWN ? problems : problems.subList(0, SHOWN);
    assertThat(problems)
        .as("%s: %d of %d rounds went wrong, for example %s", what, problems.size(), rounds, shown)
        .isEmpty();
  }

  /**
   * Exclusive claims on a fresh principal per round, by create, update and save: exactly one wins.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R5.2 exclusive claims in many short rounds of 2-8 racers (create, update, save) on fresh principals: exactly one wins each round")
  default void r5_2_claimRounds(StoreFixture kit) {
    SessionStore store = kit.store();
    int rounds = ROUNDS * kit.stressScale();
    List<String> problems = new ArrayList<>();
    try (Rounds race = new Rounds("claims")) {
      for (int round = 0; round < rounds; round++) {
        String principal = "racer-" + round;
        int racers = Rounds.racers(round);
        List<Supplier<Mono<Session>>> claims = new ArrayList<>();
        for (int r = 0; r < racers; r++) {
          switch ((round + r) % 3) {
            case 0 ->
                claims.add(
                    () -> store.create(draft(Duration.ofHours(1)).withPrincipal(principal, true)));
            case 1 -> {
              Session s =
                  awaitValue(
                      store.create(draft(Duration.ofHours(1))),
                      "create a session to claim by update");
              claims.add(() -> store.update(s.id(), x -> x.withPrincipal(principal, true)));
            }
            default -> {
              Session s =
                  awaitValue(
                      store.create(draft(Duration.ofHours(1))),
                      "create a session to claim by save");
              claims.add(() -> store.save(s.withPrincipal(principal, true)));
            }
          }
        }
        int wins = 0;
        for (Kit.Outcome<Session> o : race.race(claims)) {
          if (o.value() != null) {
            wins++;
          } else if (!(o.error() instanceof PrincipalConflictException)) {
            problems.add("round " + round + ": a losing claim gave " + o);
          }
        }
        if (wins != 1) {
          problems.add("round " + round + ": " + wins + " of " + racers + " claims won");
        }
      }
    }
    report(problems, rounds, "exclusive claims with other than one winner");
  }

  /**
   * Compare-and-set on a fresh id per round: exactly one saveIfUnchanged of one version wins.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.3 saveIfUnchanged of one version in many short rounds of 2-8 racers on fresh ids: exactly one wins, version +1")
  default void r2_3_compareAndSetRounds(StoreFixture kit) {
    SessionStore store = kit.store();
    int rounds = ROUNDS * kit.stressScale();
    List<String> problems = new ArrayList<>();
    try (Rounds race = new Rounds("cas")) {
      for (int round = 0; round < rounds; round++) {
        Session s = awaitValue(store.create(draft(Duration.ofHours(1), "winner", -1L)), "create");
        int racers = Rounds.racers(round);
        List<Supplier<Mono<Session>>> writes = new ArrayList<>();
        for (int r = 0; r < racers; r++) {
          long me = r;
          writes.add(() -> store.saveIfUnchanged(s.withAttribute("winner", me)));
        }
        List<Kit.Outcome<Session>> outcomes = race.race(writes);
        long winner = -1;
        int wins = 0;
        for (int r = 0; r < racers; r++) {
          Kit.Outcome<Session> o = outcomes.get(r);
          if (o.value() != null) {
            wins++;
            winner = r;
          } else if (!(o.error() instanceof StaleSessionException)) {
            problems.add("round " + round + ": a losing saveIfUnchanged gave " + o);
          }
        }
        Session after = awaitValue(store.get(s.id()), "get after the round");
        if (wins != 1) {
          problems.add(
              "round "
                  + round
                  + ": "
                  + wins
                  + " of "
                  + racers
                  + " saveIfUnchanged at version 1 won");
        } else if (after.version() != 2 || counter(after, "winner") != winner) {
          problems.add(
              "round "
                  + round
                  + ": stored version "
                  + after.version()
                  + " with winner "
                  + after.attribute("winner")
                  + ", expected version 2 with winner "
                  + winner);
        }
      }
    }
    report(problems, rounds, "compare-and-set rounds");
  }

  /**
   * Updates racing a destroy on a fresh id per round: no update's commit lands over the tombstone.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R3.2 updates racing destroy in many short rounds of 2-8 racers on fresh ids: no commit lands over the tombstone")
  default void r3_2_updatesRaceDestroyRounds(StoreFixture kit) {
    SessionStore store = kit.store();
    int rounds = ROUNDS * kit.stressScale();
    List<String> problems = new ArrayList<>();
    try (Rounds race = new Rounds("tombstone")) {
      for (int round = 0; round < rounds; round++) {
        Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0L)), "create");
        int racers = Rounds.racers(round);
        int destroyer = round % racers;
        List<Supplier<Mono<Object>>> ops = new ArrayList<>();
        for (int r = 0; r < racers; r++) {
          if (r == destroyer) {
            ops.add(() -> store.destroy(s.id()).map(b -> (Object) b));
          } else {
            ops.add(
                () ->
                    store
                        .update(s.id(), x -> x.withAttribute("n", counter(x, "n") + 1))
                        .map(x -> (Object) x));
          }
        }
        List<Kit.Outcome<Object>> outcomes = race.race(ops);
        for (int r = 0; r < racers; r++) {
          Kit.Outcome<Object> o = outcomes.get(r);
          if (r == destroyer ? !Boolean.TRUE.equals(o.value()) : o.isError()) {
            problems.add(
                "round "
                    + round
                    + ": "
                    + (r == destroyer ? "destroy" : "an update")
                    + " gave "
                    + o);
          }
        }
        Session back = await(store.get(s.id()), "get after the round");
        if (back != null) {
          problems.add(
              "round "
                  + round
                  + ": the destroyed session reads again at version "
                  + back.version());
        }
        Kit.Outcome<Session> save =
            Kit.outcome(store.save(s.withAttribute("n", -1L)), "save after the round");
        if (!(save.error() instanceof SessionDestroyedException)) {
          problems.add(
              "round " + round + ": save after destroy gave " + save + " (the tombstone is gone)");
        }
      }
    }
    report(problems, rounds, "destroyed sessions brought back by a racing update");
  }

  /**
   * Reads racing updates on a fresh id per round: no read writes back what it read.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.4 get, touch, findByPrincipal and all racing updates in many short rounds never undo an acknowledged update")
  default void r2_4_readsNeverWriteBack(StoreFixture kit) {
    SessionStore store = kit.store();
    int rounds = ROUNDS * kit.stressScale();
    Duration step = kit.touchThreshold().plusSeconds(1);
    List<String> problems = new ArrayList<>();
    try (Rounds race = new Rounds("readers")) {
      for (int round = 0; round < rounds; round++) {
        String principal = "reader-" + round;
        Session s =
            awaitValue(
                store.create(draft(Duration.ofDays(30), "n", 0L).withPrincipal(principal, false)),
                "create");
        kit.clock().advance(step); // so that every read of this round refreshes lastAccessedAt
        int racers = Rounds.racers(round);
        List<Supplier<Mono<Object>>> ops = new ArrayList<>();
        for (int r = 0; r < racers; r++) {
          switch ((round + r) % 5) {
            case 0 -> ops.add(() -> store.get(s.id()).map(x -> (Object) x));
            case 1 -> ops.add(() -> store.touch(s.id()).map(x -> (Object) x));
            case 2 ->
                ops.add(() -> store.findByPrincipal(principal).collectList().map(x -> (Object) x));
            case 3 ->
                ops.add(
                    () ->
                        store
                            .all()
                            .filter(x -> x.id().equals(s.id()))
                            .collectList()
                            .map(x -> (Object) x));
            default ->
                ops.add(
                    () ->
                        store
                            .update(s.id(), x -> x.withAttribute("n", counter(x, "n") + 1))
                            .map(x -> (Object) "updated"));
          }
        }
        long acknowledged = 0;
        for (Kit.Outcome<Object> o : race.race(ops)) {
          if (o.isError()) {
            problems.add("round " + round + ": an operation failed: " + o.error());
          } else if ("updated".equals(o.value())) {
            acknowledged++;
          }
        }
        // Two more updates after the round make sure that updates are in every round.
        awaitValue(
            store.update(s.id(), x -> x.withAttribute("n", counter(x, "n") + 1)),
            "update after the round");
        acknowledged++;
        Session end = awaitValue(store.get(s.id()), "get after the round");
        if (counter(end, "n") != acknowledged || end.version() != 1 + acknowledged) {
          problems.add(
              "round "
                  + round
                  + ": "
                  + acknowledged
                  + " acknowledged updates, but the session holds n="
                  + counter(end, "n")
                  + " at version "
                  + end.version()
                  + " (a read wrote back an older copy)");
        }
      }
    }
    report(problems, rounds, "acknowledged updates undone by a racing read");
  }

  /**
   * Regenerate racing updates and a destroy of the old id on a fresh id per round.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R1.4 regenerate racing updates and destroy in many short rounds: no acknowledged update lost, never both regenerate and destroy succeed")
  default void r1_4_regenerateRaces(StoreFixture kit) {
    SessionStore store = kit.store();
    int rounds = ROUNDS * kit.stressScale();
    List<String> problems = new ArrayList<>();
    try (Rounds race = new Rounds("regenerate")) {
      for (int round = 0; round < rounds; round++) {
        Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0L)), "create");
        int racers = Rounds.racers(round);
        boolean withDestroy = round % 2 == 1;
        List<Supplier<Mono<Object>>> ops = new ArrayList<>();
        ops.add(() -> store.regenerate(s.id()).map(x -> (Object) x));
        if (withDestroy) {
          ops.add(() -> store.destroy(s.id()).map(x -> (Object) x));
        }
        while (ops.size() < racers) {
          ops.add(
              () ->
                  store
                      .update(s.id(), x -> x.withAttribute("n", counter(x, "n") + 1))
                      .map(x -> (Object) 1L));
        }
        List<Kit.Outcome<Object>> outcomes = race.race(ops);
        Session moved = (Session) outcomes.get(0).value();
        boolean destroyed = withDestroy && Boolean.TRUE.equals(outcomes.get(1).value());
        long acknowledged =
            outcomes.stream().filter(o -> Long.valueOf(1L).equals(o.value())).count();
        for (Kit.Outcome<Object> o : outcomes) {
          if (o.isError()) {
            problems.add("round " + round + ": an operation failed: " + o.error());
          }
        }
        if (moved != null && destroyed) {
          problems.add("round " + round + ": both regenerate and destroy of one id succeeded");
        } else if (moved != null) {
          Session now = await(store.get(moved.id()), "get of the new id");
          long n = now == null ? -1 : counter(now, "n");
          if (n != acknowledged) {
            problems.add(
                "round "
                    + round
                    + ": "
                    + acknowledged
                    + " updates of the old id were acknowledged, the "
                    + "regenerated session holds n="
                    + n);
          }
        } else if (!withDestroy) {
          problems.add("round " + round + ": regenerate of a live session gave " + outcomes.get(0));
        }
        if (await(store.get(s.id()), "get of the old id") != null) {
          problems.add("round " + round + ": the old id still reads after regenerate or destroy");
        }
      }
    }
    report(problems, rounds, "regenerate rounds");
  }

  /**
   * Concurrent writers of a few ids: each id's events arrive in version order.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R7.1 events arrive in per-id version order under concurrent writers of one id (many short rounds)")
  default void r7_1_eventOrderUnderConcurrentWriters(StoreFixture kit) {
    SessionStore store = kit.store();
    Assumptions.assumeTrue(
        store.capabilities().has(StoreCapabilities.Capability.EVENTS),
        "the store does not declare the EVENTS capability");
    int rounds = ROUNDS / 2 * kit.stressScale();
    List<String> ids = new ArrayList<>();
    try (EventRecorder recorder = new EventRecorder(store);
        Rounds race = new Rounds("events")) {
      for (int round = 0; round < rounds; round++) {
        Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0L)), "create");
        ids.add(s.id());
        int racers = Rounds.racers(round);
        List<Supplier<Mono<Session>>> ops = new ArrayList<>();
        for (int r = 0; r < racers; r++) {
          ops.add(() -> store.update(s.id(), x -> x.withAttribute("n", counter(x, "n") + 1)));
        }
        race.race(ops);
      }
      Session sentinel = awaitValue(store.create(draft(Duration.ofHours(1))), "create a sentinel");
      recorder.await(e -> e.sessionId().equals(sentinel.id()), "CREATED of the sentinel");
      Map<String, Long> last = new HashMap<>();
      List<String> problems = new ArrayList<>();
      for (SessionEvent event : recorder.events()) {
        Long previous = last.put(event.sessionId(), event.session().version());
        if (previous != null && event.session().version() <= previous) {
          problems.add(
              event.type()
                  + " of version "
                  + event.session().version()
                  + " of session "
                  + Session.redact(event.sessionId())
                  + " arrived after version "
                  + previous);
        }
      }
      report(problems, rounds, "events out of version order");
    }
  }

  /** Writers of the sustained event-order test, half of them on threads of the test's own. */
  int EVENT_WRITERS = 8;

  /** Subscribers of the sustained event-order test, each checked on its own. */
  int EVENT_SUBSCRIBERS = 8;

  /**
   * Sustained contention on one id: more writers than a small machine has cores, half on Reactor's
   * parallel threads, half on threads of the test's own, and several subscribers; every subscriber
   * must receive the UPDATED events of that id in strictly increasing version order, none missing.
   *
   * <p>A store that publishes an event just after leaving its per-id atomic section loses the order
   * only when its thread stalls in that gap of a few hundred nanoseconds while another writer takes
   * the section, commits and publishes. Short rounds rarely see it. Here the section is contended
   * all the time, so leaving it often wakes a parked writer (which may run first, on the same
   * core), and each event handed to an idle subscriber wakes a delivery thread, a second chance to
   * stall before the later subscribers have the event; the later subscribers therefore see the
   * inversion most often. A store that publishes inside its atomic section keeps the order for
   * every subscriber, whatever the scheduling. Events a store drops (and counts) may be missing.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R7.1 sustained contention on one id: 8 writers (4 on parallel threads, 4 on threads of their own), 8 subscribers each receive the UPDATED versions strictly increasing, none missing")
  default void r7_1_sustainedEventOrderOnOneId(StoreFixture kit) {
    SessionStore store = kit.store();
    Assumptions.assumeTrue(
        store.capabilities().has(StoreCapabilities.Capability.EVENTS),
        "the store does not declare the EVENTS capability");
    int runs = 4 * kit.stressScale();
    int perWriter = STREAM / 4;
    List<String> problems = new ArrayList<>();
    reactor.core.scheduler.Scheduler own =
        Schedulers.newParallel("tck-event-writers", EVENT_WRITERS / 2, true);
    List<EventRecorder> recorders = new ArrayList<>();
    try {
      for (int i = 0; i < EVENT_SUBSCRIBERS; i++) {
        recorders.add(new EventRecorder(store));
      }
      for (int run = 0; run < runs; run++) {
        long droppedBefore = store.droppedEvents();
        Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0L)), "create");
        List<Flux<Long>> workers = new ArrayList<>();
        for (int w = 0; w < EVENT_WRITERS; w++) {
          Flux<Long> stream = Flux.range(0, perWriter).concatMap(i -> increment(store, s.id()));
          workers.add(w % 2 == 0 ? stream : stream.subscribeOn(own));
        }
        long acknowledged = sustained(workers, "writers of one id");
        long last = 1 + acknowledged;
        boolean stalled = false;
        for (int r = 0; r < recorders.size(); r++) {
          boolean lastArrived =
              recorders
                  .get(r)
                  .arrives(
                      e ->
                          e.sessionId().equals(s.id())
                              && e.type() == SessionEvent.Type.UPDATED
                              && e.session().version() == last,
                      stalled ? Duration.ZERO : EventRecorder.EVENT_WAIT);
          stalled |= !lastArrived; // waiting once is enough to know
          String problem =
              eventOrderProblem(recorders.get(r), store, s.id(), last, droppedBefore, lastArrived);
          if (problem != null) {
            problems.add(
                "run "
                    + run
                    + ", subscriber "
                    + (r + 1)
                    + " of "
                    + EVENT_SUBSCRIBERS
                    + ", "
                    + acknowledged
                    + " updates: "
                    + problem);
          }
        }
        if (stalled) {
          break; // the next runs would only wait again
        }
      }
    } finally {
      recorders.forEach(EventRecorder::close);
      own.dispose();
    }
    report(problems, runs * EVENT_SUBSCRIBERS, "per-id event order under sustained contention");
  }

  /**
   * Checks one subscriber's UPDATED events of one id, versions 2 to {@code last}: strictly
   * increasing, and all there once the last has arrived (less any the store counted as dropped).
   */
  private static @org.jspecify.annotations.Nullable String eventOrderProblem(
      EventRecorder recorder,
      SessionStore store,
      String id,
      long last,
      long droppedBefore,
      boolean lastArrived) {
    long dropped = store.droppedEvents() - droppedBefore;
    long previous = 1;
    java.util.BitSet seen = new java.util.BitSet();
    int inversions = 0;
    @org.jspecify.annotations.Nullable String first = null;
    for (SessionEvent event : recorder.eventsOf(id)) {
      if (event.type() != SessionEvent.Type.UPDATED) {
        continue;
      }
      long version = event.session().version();
      if (version <= previous) {
        inversions++;
        if (first == null) {
          first = "version " + version + " arrived after version " + previous;
        }
      }
      previous = Math.max(previous, version);
      if (version >= 2 && version <= last) {
        seen.set((int) version);
      }
    }
    long missing = (last - 1) - seen.cardinality();
    if (inversions > 0) {
      return inversions + " UPDATED events arrived after a later version, first " + first;
    }
    if (!lastArrived && dropped == 0) {
      return "no UPDATED event of the last version ("
          + last
          + ") within "
          + EventRecorder.EVENT_WAIT
          + " and none dropped";
    }
    if (missing > dropped) {
      return missing
          + " UPDATED versions had not arrived when the last version's had ("
          + dropped
          + " dropped)";
    }
    return null;
  }

  // ---- sustained contention: a few workers on Reactor's parallel threads, each a bounded stream
  // of operations ----

  /** Operations per worker of a sustained-contention test at scale 1. */
  int STREAM = 150;

  /**
   * Runs every worker at once, each subscribed on Reactor's parallel scheduler, and waits for them
   * all. Each worker is a bounded stream of operations that emits 1 per acknowledged write it
   * counts.
   */
  private static long sustained(List<Flux<Long>> workers, String what) {
    Long total =
        Flux.fromIterable(workers)
            .flatMap(w -> w.subscribeOn(Schedulers.parallel()), workers.size())
            .reduce(0L, Long::sum)
            .block(Race.ROUND_WAIT);
    if (total == null) {
      throw new AssertionError(what + ": the workers completed without a count");
    }
    return total;
  }

  private static Mono<Long> increment(SessionStore store, String id) {
    return store
        .update(id, x -> x.withAttribute("n", counter(x, "n") + 1))
        .map(x -> 1L)
        .defaultIfEmpty(0L);
  }

  /**
   * Sustained contention on one id: updaters increment a counter while readers hammer get, touch,
   * findByPrincipal and all, each read due for a refresh; the counter must equal the acknowledged
   * updates.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.4 sustained contention on one id: 3 updaters and 3 readers (get, touch, findByPrincipal, all, each due for a refresh) on parallel threads; the counter equals the acknowledged updates")
  default void r2_4_sustainedReadersNeverUndoUpdates(StoreFixture kit) {
    SessionStore store = kit.store();
    int perWorker = STREAM * kit.stressScale();
    Duration step =
        kit.touchThreshold().isNegative()
            ? Duration.ofSeconds(1)
            : kit.touchThreshold().plusSeconds(1);
    String principal = "sustained-reader";
    Session s =
        awaitValue(
            store.create(draft(Duration.ofDays(3650), "n", 0L).withPrincipal(principal, false)),
            "create");
    List<Flux<Long>> workers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      workers.add(Flux.range(0, perWorker).concatMap(i -> increment(store, s.id())));
      int reader = w;
      workers.add(
          Flux.range(0, perWorker)
              .concatMap(
                  i -> {
                    kit.clock().advance(step); // every read is due to refresh lastAccessedAt
                    Mono<?> read =
                        switch ((reader + i) % 4) {
                          case 0 -> store.get(s.id());
                          case 1 -> store.touch(s.id());
                          case 2 -> store.findByPrincipal(principal).collectList();
                          default -> store.all().filter(x -> x.id().equals(s.id())).collectList();
                        };
                    return read.then(Mono.just(0L));
                  }));
    }
    long acknowledged = sustained(workers, "readers and updaters");
    acknowledged += awaitValue(increment(store, s.id()), "an update after the run");
    Session end = awaitValue(store.get(s.id()), "get after the run");
    assertThat(counter(end, "n"))
        .as(
            "counter after %d acknowledged updates racing %d refreshing reads (a read "
                + "that writes back its copy undoes updates); version %d",
            acknowledged, 3 * perWorker, end.version())
        .isEqualTo(acknowledged);
    assertThat(end.version())
        .as("version after %d acknowledged updates", acknowledged)
        .isEqualTo(1 + acknowledged);
  }

  /**
   * Compare-and-set loops: workers read and saveIfUnchanged an incremented counter, retrying on
   * StaleSessionException; every successful saveIfUnchanged must be reflected.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.3 sustained compare-and-set loops: 4 workers on parallel threads read and saveIfUnchanged n+1, retrying when stale; every success counts")
  default void r2_3_sustainedCompareAndSetLoops(StoreFixture kit) {
    SessionStore store = kit.store();
    int perWorker = STREAM / 3 * kit.stressScale();
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0L)), "create");
    List<Flux<Long>> workers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      workers.add(
          Flux.range(0, perWorker)
              .concatMap(
                  i ->
                      Mono.defer(() -> store.get(s.id()))
                          .switchIfEmpty(
                              Mono.error(
                                  () ->
                                      new AssertionError(
                                          "the session vanished during compare-and-set loops")))
                          .flatMap(
                              x -> store.saveIfUnchanged(x.withAttribute("n", counter(x, "n") + 1)))
                          .retryWhen(
                              Retry.max(100_000).filter(e -> e instanceof StaleSessionException))
                          .map(x -> 1L)));
    }
    long successes = sustained(workers, "compare-and-set loops");
    Session end = awaitValue(store.get(s.id()), "get after the loops");
    assertThat(counter(end, "n"))
        .as("counter after %d successful saveIfUnchanged (version %d)", successes, end.version())
        .isEqualTo(successes);
    assertThat(end.version())
        .as("version after %d successful saveIfUnchanged", successes)
        .isEqualTo(1 + successes);
  }

  /**
   * Regenerate in the middle of a steady stream of updates of the old id: every update acknowledged
   * on the old id is carried over to the new one.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R1.4 regenerate in the middle of a steady stream of updates (3 updaters on parallel threads, 10 runs): every acknowledged update is carried over")
  default void r1_4_regenerateUnderSustainedUpdates(StoreFixture kit) {
    SessionStore store = kit.store();
    int runs = 10 * kit.stressScale();
    int perWorker = STREAM / 4;
    List<String> problems = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0L)), "create");
      java.util.concurrent.atomic.AtomicReference<Session> moved =
          new java.util.concurrent.atomic.AtomicReference<>();
      List<Flux<Long>> workers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        workers.add(Flux.range(0, perWorker).concatMap(i -> increment(store, s.id())));
      }
      int before = perWorker / 3 + run % 5;
      workers.add(
          Flux.range(0, before)
              .concatMap(i -> store.get(s.id()).then(Mono.just(0L)))
              .concatWith(store.regenerate(s.id()).doOnNext(moved::set).then(Mono.just(0L))));
      long acknowledged = sustained(workers, "updates racing regenerate");
      Session now =
          moved.get() == null ? null : await(store.get(moved.get().id()), "get of the new id");
      if (now == null) {
        problems.add(
            "run "
                + run
                + ": regenerate of a live session gave "
                + moved.get()
                + ", new id reads "
                + now);
      } else if (counter(now, "n") != acknowledged) {
        problems.add(
            "run "
                + run
                + ": "
                + acknowledged
                + " updates acknowledged, the regenerated session holds n="
                + counter(now, "n"));
      }
      if (await(store.get(s.id()), "get of the old id") != null) {
        problems.add("run " + run + ": the old id still reads after regenerate");
      }
    }
    report(problems, runs, "regenerate under a steady stream of updates");
  }

  /**
   * Destroy in the middle of a steady stream of updates: afterwards the id reads empty and a save
   * fails.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R3.2 destroy in the middle of a steady stream of updates (3 updaters on parallel threads, 20 runs): the id stays destroyed")
  default void r3_2_destroyUnderSustainedUpdates(StoreFixture kit) {
    SessionStore store = kit.store();
    int runs = 20 * kit.stressScale();
    int perWorker = STREAM / 5;
    List<String> problems = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      Session s = awaitValue(store.create(draft(Duration.ofHours(1), "n", 0L)), "create");
      List<Flux<Long>> workers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        workers.add(Flux.range(0, perWorker).concatMap(i -> increment(store, s.id())));
      }
      int before = perWorker / 3 + run % 5;
      workers.add(
          Flux.range(0, before)
              .concatMap(i -> store.get(s.id()).then(Mono.just(0L)))
              .concatWith(store.destroy(s.id()).map(b -> b ? 0L : -1_000_000L)));
      long total = sustained(workers, "updates racing destroy");
      if (total < 0) {
        problems.add("run " + run + ": destroy of a live session returned false");
      }
      Session back = await(store.get(s.id()), "get after destroy");
      if (back != null) {
        problems.add(
            "run " + run + ": the destroyed session reads again at version " + back.version());
      }
      Kit.Outcome<Session> save =
          Kit.outcome(store.save(s.withAttribute("n", -1L)), "save after destroy");
      if (!(save.error() instanceof SessionDestroyedException)) {
        problems.add(
            "run " + run + ": save after destroy gave " + save + " (the tombstone is gone)");
      }
    }
    report(problems, runs, "destroyed sessions brought back by a stream of updates");
  }
}
