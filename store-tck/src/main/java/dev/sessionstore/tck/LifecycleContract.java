package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectEmpty;
import static dev.sessionstore.tck.Kit.expectValue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Rules R2.6 (laziness), R2.7 (no blocking) and R8.3 (close). Part of {@link SessionStoreTck};
 * adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface LifecycleContract {

  /**
   * Checks that nothing happens before subscription.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.6 nothing happens until subscription")
  default void r2_6_lazy(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "k", "v")), "create");
    Session idle = awaitValue(store.create(draft(Duration.ofMinutes(2), "k", "idle")), "create");
    Session doomed =
        awaitValue(store.create(draft(Duration.ofMinutes(1), "k", "doomed")), "create");
    AtomicInteger changeCalls = new AtomicInteger();
    kit.clock().advance(Duration.ofSeconds(90));

    // Assembled and dropped without subscribing.
    store.create(draft(Duration.ofHours(1), "k", "never"));
    store.save(s.withAttribute("k", "never"));
    store.saveIfUnchanged(s.withAttribute("k", "never"));
    store.update(
        s.id(),
        x -> {
          changeCalls.incrementAndGet();
          return x.withAttribute("k", "never");
        });
    store.touch(idle.id());
    store.destroy(s.id());
    store.regenerate(s.id());
    store.clear();
    store.cleanup();
    store.get(idle.id());

    kit.clock().advance(Duration.ofSeconds(60));
    assertThat(changeCalls.get()).as("update's change called without a subscription").isZero();
    expectEmpty(
        store.get(idle.id()),
        "get of a session whose touch and get were never subscribed (expired)");
    Session read = awaitValue(store.get(s.id()), "get");
    assertThat(read.attribute("k")).as("data after unsubscribed writes").isEqualTo("v");
    assertThat(read.version()).as("version after unsubscribed writes").isEqualTo(1L);
    assertThat(await(store.count(), "count"))
        .as("live sessions after unsubscribed create, destroy and clear")
        .isEqualTo(1L);
    assertThat(await(store.cleanup(), "cleanup"))
        .as("records left for the first subscribed cleanup (idle, doomed)")
        .isEqualTo(2L);
    assertThat(doomed.id()).isNotEqualTo(idle.id());
  }

  /**
   * Checks that each subscription does the work once.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.6 each subscription does the work exactly once")
  default void r2_6_oncePerSubscription(StoreFixture kit) {
    SessionStore store = kit.store();
    Mono<Session> create = store.create(draft(Duration.ofHours(1)));
    Session first = awaitValue(create, "first subscription to one create");
    Session second = awaitValue(create, "second subscription to the same create");
    assertThat(second.id())
        .as("the second subscription created another session")
        .isNotEqualTo(first.id());
    assertThat(await(store.count(), "count"))
        .as("sessions after two subscriptions to one create")
        .isEqualTo(2L);

    Mono<Session> increment =
        store.update(first.id(), x -> x.withAttribute("n", Kit.counter(x, "n") + 1));
    awaitValue(increment, "first subscription to one update");
    Session twice = awaitValue(increment, "second subscription to the same update");
    assertThat(Kit.counter(twice, "n"))
        .as("counter after two subscriptions to one update")
        .isEqualTo(2L);
    assertThat(twice.version()).as("version after two subscriptions to one update").isEqualTo(3L);

    Mono<Boolean> destroy = store.destroy(first.id());
    expectValue(destroy, true, "first subscription to destroy");
    expectValue(destroy, false, "second subscription to the same destroy");
  }

  /**
   * Checks with BlockHound that no operation blocks a non-blocking thread.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R2.7 no operation blocks a non-blocking thread (BlockHound on Schedulers.parallel)")
  default void r2_7_noBlocking(StoreFixture kit) {
    String unavailable = BlockingProbe.install();
    Assumptions.assumeTrue(unavailable == null, () -> unavailable);
    SessionStore store = kit.store();
    Map<String, Kit.Outcome<?>> outcomes = new LinkedHashMap<>();
    Runnable operations =
        () -> {
          outcomes.clear();
          Session a =
              run(
                  outcomes,
                  "create",
                  () ->
                      store.create(
                          draft(Duration.ofMinutes(10), "k", "v").withPrincipal("alice", true)));
          Session b =
              run(outcomes, "create b", () -> store.create(draft(Duration.ofMinutes(1), "k", "b")));
          if (a == null || b == null) {
            return;
          }
          run(outcomes, "get", () -> store.get(a.id()));
          run(outcomes, "get of an unknown id", () -> store.get("kit-unknown-0123456789"));
          run(outcomes, "get of a malformed id", () -> store.get("not/well formed"));
          run(outcomes, "touch", () -> store.touch(a.id()));
          Session updated =
              run(outcomes, "update", () -> store.update(a.id(), x -> x.withAttribute("n", 1)));
          run(
              outcomes,
              "update whose change fails",
              () ->
                  store.update(
                      a.id(),
                      x -> {
                        throw new IllegalStateException("kit: change fails on purpose");
                      }));
          Session saved = run(outcomes, "save", () -> store.save(updated == null ? a : updated));
          run(outcomes, "saveIfUnchanged", () -> store.saveIfUnchanged(saved == null ? a : saved));
          run(outcomes, "stale saveIfUnchanged", () -> store.saveIfUnchanged(a));
          run(
              outcomes,
              "conflicting create",
              () -> store.create(SessionDraft.empty().withPrincipal("alice", false)));
          run(outcomes, "findByPrincipal", () -> store.findByPrincipal("alice").collectList());
          run(outcomes, "all", () -> store.all().collectList());
          run(outcomes, "count", store::count);
          Session moved = run(outcomes, "regenerate", () -> store.regenerate(a.id()));
          run(outcomes, "destroy", () -> store.destroy(moved == null ? a.id() : moved.id()));
          run(outcomes, "save after destroy", () -> store.save(a));
          kit.clock().advance(Duration.ofMinutes(2));
          run(outcomes, "get of an expired session", () -> store.get(b.id()));
          run(outcomes, "cleanup", store::cleanup);
          run(outcomes, "clear", store::clear);
        };
    operations.run(); // warm-up, unarmed: the first use of classes and connections
    List<String> blocking = BlockingProbe.probe(operations);
    List<String> problems = new ArrayList<>(blocking);
    outcomes.forEach(
        (name, outcome) -> {
          if (BlockingProbe.isBlockingError(outcome.error())) {
            problems.add(name + " failed with " + outcome.error());
          }
        });
    assertThat(problems).as("blocking calls on Schedulers.parallel() threads").isEmpty();
    assertThat(outcomes.get("create"))
        .as("outcome of create under the probe")
        .matches(o -> !o.isError());
    // Only blocking counts here: a store without exclusive claims (R5.2) fails R5.2, not R2.7.
  }

  /**
   * Checks with BlockHound that operations contending for one id, hundreds of mixed operations at
   * once, and the store's periodic work never block a non-blocking thread.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.7 no blocking under contention: updates of one id racing on Schedulers.parallel, hundreds of mixed operations, the store's periodic work")
  default void r2_7_noBlockingUnderContention(StoreFixture kit) {
    String unavailable = BlockingProbe.install();
    Assumptions.assumeTrue(unavailable == null, () -> unavailable);
    SessionStore store =
        kit.open(o -> o.with(StoreOptions.CLEANUP_INTERVAL, Duration.ofMillis(100)));
    int rounds = 60 * kit.stressScale();
    int racers = 8;
    Session hot =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "n", 0L)), "create the contended session");
    List<Session> pool = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      pool.add(
          awaitValue(
              store.create(draft(Duration.ofMinutes(1 + i), "k", i).withPrincipal("p" + i, false)),
              "create"));
    }
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicLong acknowledged =
        new java.util.concurrent.atomic.AtomicLong();
    Runnable work =
        () -> {
          for (int round = 0; round < rounds; round++) {
            // Contention: racers on the parallel scheduler's threads update one id; each change
            // does a little work.
            Flux.range(0, racers)
                .flatMap(
                    i ->
                        store
                            .update(
                                hot.id(),
                                x -> {
                                  List<Long> scratch = new ArrayList<>();
                                  for (long j = 0; j < 64; j++) {
                                    scratch.add(j * i);
                                  }
                                  return x.withAttribute("n", Kit.counter(x, "n") + 1)
                                      .withAttribute("last", (long) scratch.size());
                                })
                            .subscribeOn(Schedulers.parallel())
                            .doOnNext(x -> acknowledged.incrementAndGet())
                            .onErrorResume(
                                e -> {
                                  failures.add(e);
                                  return Mono.empty();
                                }))
                .blockLast(Kit.WAIT);
            // Mixed operations of every kind at once.
            Session target = pool.get(round % pool.size());
            List<Mono<?>> mixed =
                List.of(
                    store.get(target.id()),
                    store.touch(target.id()),
                    store.update(target.id(), x -> x.withAttribute("r", "x")),
                    store.findByPrincipal("p1").collectList(),
                    store.all().collectList(),
                    store.count(),
                    store.create(draft(Duration.ofSeconds(30))),
                    store.get("kit-unknown-" + round),
                    store.saveIfUnchanged(target).onErrorResume(e -> Mono.empty()),
                    store
                        .create(draft(Duration.ofSeconds(30)))
                        .flatMap(c -> store.regenerate(c.id())),
                    store.create(draft(Duration.ofSeconds(30))).flatMap(c -> store.destroy(c.id())),
                    store.cleanup());
            Flux.fromIterable(mixed)
                .flatMap(
                    m ->
                        m.subscribeOn(Schedulers.parallel())
                            .then()
                            .onErrorResume(
                                e -> {
                                  failures.add(e);
                                  return Mono.empty();
                                }))
                .blockLast(Kit.WAIT);
            if (round % 10 == 9) {
              kit.clock().advance(Duration.ofSeconds(20));
            }
          }
          // The store's periodic work, run by its scheduler on a thread that counts as
          // non-blocking.
          BlockingProbe.NonBlockingThread periodic =
              new BlockingProbe.NonBlockingThread(
                  () -> kit.scheduler().advanceTimeBy(Duration.ofSeconds(1)));
          periodic.start();
          try {
            periodic.join(Kit.WAIT.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          if (periodic.failure != null) {
            failures.add(periodic.failure);
          }
        };
    work.run(); // warm-up, unarmed
    failures.clear();
    List<String> problems = new ArrayList<>(BlockingProbe.probe(work));
    for (Throwable failure : failures) {
      if (BlockingProbe.isBlockingError(failure)) {
        problems.add("an operation failed with " + failure);
      }
    }
    assertThat(problems)
        .as(
            "blocking calls on non-blocking threads under contention (%d contended updates "
                + "acknowledged)",
            acknowledged.get())
        .isEmpty();
  }

  /**
   * Checks with BlockHound that sustained contention (4 streams of updates of one id on Reactor's
   * parallel threads, each change doing a little work) never blocks: a lock held across the change,
   * or a sleep before retrying a conflict, shows up within a few hundred contended updates.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.7 no blocking under sustained contention: 4 streams of updates of one id on Schedulers.parallel, each change doing a little work")
  default void r2_7_noBlockingUnderSustainedContention(StoreFixture kit) {
    String unavailable = BlockingProbe.install();
    Assumptions.assumeTrue(unavailable == null, () -> unavailable);
    SessionStore store = kit.store();
    int perWorker = 100 * kit.stressScale();
    Session hot =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "n", 0L)), "create the contended session");
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicLong acknowledged =
        new java.util.concurrent.atomic.AtomicLong();
    Runnable work =
        () ->
            Flux.range(0, 4)
                .flatMap(
                    w ->
                        Flux.range(0, perWorker)
                            .concatMap(
                                i ->
                                    store
                                        .update(
                                            hot.id(),
                                            x -> {
                                              // A change that takes some microseconds, as real ones
                                              // do (building a value): so that a store that
                                              // holds a lock across it makes the other parallel
                                              // thread wait whenever the two overlap.
                                              List<Long> scratch = new ArrayList<>();
                                              for (long j = 0; j < 2_000; j++) {
                                                scratch.add(j * w);
                                              }
                                              return x.withAttribute("n", Kit.counter(x, "n") + 1)
                                                  .withAttribute("work", (long) scratch.hashCode());
                                            })
                                        .doOnNext(x -> acknowledged.incrementAndGet())
                                        .onErrorResume(
                                            e -> {
                                              failures.add(e);
                                              return Mono.empty();
                                            }))
                            .subscribeOn(Schedulers.parallel()),
                    4)
                .blockLast(Race.ROUND_WAIT);
    work.run(); // warm-up, unarmed
    failures.clear();
    List<String> problems = new ArrayList<>(BlockingProbe.probe(work));
    for (Throwable failure : failures) {
      if (BlockingProbe.isBlockingError(failure)) {
        problems.add("an update failed with " + failure);
      }
    }
    assertThat(problems)
        .as(
            "blocking calls on Schedulers.parallel() threads under sustained contention (%d "
                + "updates acknowledged)",
            acknowledged.get())
        .isEmpty();
  }

  private static <T> T run(
      Map<String, Kit.Outcome<?>> outcomes, String name, Supplier<Mono<T>> operation) {
    Kit.Outcome<T> outcome =
        Kit.outcome(Mono.defer(operation).subscribeOn(Schedulers.parallel()), name);
    outcomes.put(name, outcome);
    return outcome.value();
  }

  /**
   * Checks close.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R8.3 after close every operation signals IllegalStateException, and close is idempotent")
  default void r8_3_close(StoreFixture kit) {
    SessionStore store = kit.store();
    Session s = awaitValue(store.create(draft(Duration.ofHours(1))), "create");
    Mono<Session> assembledBefore = store.get(s.id());
    store.close();
    store.close();
    Map<String, Supplier<Mono<?>>> operations = new LinkedHashMap<>();
    operations.put("create", () -> store.create(SessionDraft.empty()));
    operations.put("get", () -> store.get(s.id()));
    operations.put("save", () -> store.save(s));
    operations.put("saveIfUnchanged", () -> store.saveIfUnchanged(s));
    operations.put("update", () -> store.update(s.id(), x -> x));
    operations.put("touch", () -> store.touch(s.id()));
    operations.put("destroy", () -> store.destroy(s.id()));
    operations.put("regenerate", () -> store.regenerate(s.id()));
    operations.put("findByPrincipal", () -> store.findByPrincipal("alice").then());
    operations.put("all", () -> store.all().then());
    operations.put("count", store::count);
    operations.put("clear", store::clear);
    operations.put("cleanup", store::cleanup);
    operations.put("events", () -> store.events().then());
    operations.put("a get assembled before close", () -> assembledBefore);
    List<String> problems = new ArrayList<>();
    operations.forEach(
        (name, operation) -> {
          Mono<?> mono;
          try {
            mono = operation.get();
          } catch (RuntimeException e) {
            problems.add(
                name + " threw at call time (" + e + ") instead of signalling in the publisher");
            return;
          }
          try {
            Kit.Outcome<?> outcome =
                Kit.outcome(mono, name + " after close", Duration.ofSeconds(1));
            if (!(outcome.error() instanceof IllegalStateException)) {
              problems.add(name + " after close gave " + outcome);
            }
          } catch (AssertionError hangs) {
            problems.add(hangs.getMessage());
          }
        });
    assertThat(problems)
        .as("operations after close that did not signal IllegalStateException")
        .isEmpty();
    store.close();
  }
}
