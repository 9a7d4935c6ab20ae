package dev.sessionstore.mongodb;

import static dev.sessionstore.mongodb.MongoTesting.await;
import static dev.sessionstore.mongodb.MongoTesting.eventually;
import static dev.sessionstore.mongodb.MongoTesting.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Two store instances on one collection, as two application servers would share it. */
class TwoInstancesTest {

  private final TestClock clock = new TestClock(MongoTesting.START);
  private SessionStore a;
  private SessionStore b;
  private ExecutorService threads;

  @BeforeEach
  void open() {
    String name = EmbeddedMongo.get().freshCollection();
    a = SessionStores.open(options(name, clock, "sweepInterval=10ms"));
    b = SessionStores.open(options(name, clock, "sweepInterval=10ms"));
    threads = Executors.newFixedThreadPool(9);
  }

  @AfterEach
  void close() {
    threads.shutdownNow();
    a.close();
    b.close();
  }

  private SessionStore pick(int i) {
    return i % 2 == 0 ? a : b;
  }

  private static long counter(Session s, String name) {
    Object value = s.attribute(name);
    return value == null ? 0 : (Long) value;
  }

  private <T> List<T> race(List<Callable<T>> tasks) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> task : tasks) {
      futures.add(
          threads.submit(
              () -> {
                start.await();
                return task.call();
              }));
    }
    start.countDown();
    List<T> results = new ArrayList<>();
    for (Future<T> future : futures) {
      results.add(future.get());
    }
    return results;
  }

  @Test
  void timerPlusAnswersLoseNoUpdateAcrossTwoInstances() throws Exception {
    int writers = 8;
    int answers = 120;
    int ticks = 60;
    Session quiz =
        await(
            a.create(
                SessionDraft.of(SessionData.of(Map.of("remaining", 1000L, "seq", 0L)))
                    .withMaxIdle(Duration.ofHours(1))));
    List<Callable<Integer>> tasks = new ArrayList<>();
    tasks.add(
        () -> {
          for (int i = 0; i < ticks; i++) {
            await(
                pick(i)
                    .update(
                        quiz.id(),
                        x ->
                            x.withAttribute("remaining", counter(x, "remaining") - 1)
                                .withAttribute("seq", counter(x, "seq") + 1)));
          }
          return ticks;
        });
    for (int w = 0; w < writers; w++) {
      String name = "answers.w" + w;
      int offset = w;
      tasks.add(
          () -> {
            for (int i = 0; i < answers; i++) {
              await(
                  pick(i + offset)
                      .update(
                          quiz.id(),
                          x ->
                              x.withAttribute(name, counter(x, name) + 1)
                                  .withAttribute("seq", counter(x, "seq") + 1)));
            }
            return answers;
          });
    }
    int done = race(tasks).stream().mapToInt(Integer::intValue).sum();

    long total = ticks + (long) writers * answers;
    assertThat(done).isEqualTo(total);
    Session end = await(b.get(quiz.id()));
    for (int w = 0; w < writers; w++) {
      assertThat(counter(end, "answers.w" + w)).as("answers of writer %d", w).isEqualTo(answers);
    }
    assertThat(counter(end, "remaining")).isEqualTo(1000L - ticks);
    assertThat(counter(end, "seq")).as("updates seen in sequence").isEqualTo(total);
    assertThat(end.version()).isEqualTo(1 + total);
  }

  @Test
  void exactlyOneExclusiveClaimWinsAcrossTwoInstances() throws Exception {
    for (int round = 0; round < 15; round++) {
      String principal = "user-" + round;
      // Half the claimants create new sessions, half claim existing ones by update.
      List<Session> existing = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        existing.add(await(pick(i).create(SessionDraft.empty().withMaxIdle(Duration.ofHours(1)))));
      }
      List<Callable<String>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        SessionStore store = pick(i);
        Session own = i < 4 ? existing.get(i) : null;
        tasks.add(
            () -> {
              try {
                Session won =
                    own == null
                        ? await(
                            store.create(
                                SessionDraft.empty()
                                    .withPrincipal(principal, true)
                                    .withMaxIdle(Duration.ofHours(1))))
                        : await(store.update(own.id(), x -> x.withPrincipal(principal, true)));
                return won.id();
              } catch (PrincipalConflictException e) {
                return "conflict";
              }
            });
      }
      List<String> outcomes = race(tasks);
      List<String> winners = outcomes.stream().filter(o -> !o.equals("conflict")).toList();
      assertThat(winners).as("winners in round %d: %s", round, outcomes).hasSize(1);
      assertThat(
              Flux.concat(a.findByPrincipal(principal), b.findByPrincipal(principal))
                  .map(Session::id)
                  .collectList()
                  .block())
          .as("sessions bound to %s, seen from both instances", principal)
          .containsExactly(winners.get(0), winners.get(0));
    }
  }

  @Test
  void eachExpiredSessionIsAnnouncedByExactlyOneInstance() throws Exception {
    try (MongoTesting.Recorder ea = new MongoTesting.Recorder(a);
        MongoTesting.Recorder eb = new MongoTesting.Recorder(b)) {
      int sessions = 60;
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < sessions; i++) {
        ids.add(
            await(pick(i).create(SessionDraft.empty().withMaxIdle(Duration.ofMinutes(5)))).id());
      }
      clock.advance(Duration.ofMinutes(5));
      // The sweepers of both instances and two concurrent cleanups all compete for the sessions.
      List<Long> removed = race(List.of(() -> await(a.cleanup()), () -> await(b.cleanup())));
      assertThat(removed.get(0) + removed.get(1))
          .as("sessions removed by the two cleanups")
          .isEqualTo(sessions);
      eventually(
          "every EXPIRED",
          () ->
              ea.count(SessionEvent.Type.EXPIRED) + eb.count(SessionEvent.Type.EXPIRED)
                  >= sessions);
      List<String> announced = new ArrayList<>();
      ea.of(SessionEvent.Type.EXPIRED).forEach(e -> announced.add(e.sessionId()));
      eb.of(SessionEvent.Type.EXPIRED).forEach(e -> announced.add(e.sessionId()));
      assertThat(announced)
          .as("EXPIRED events over both instances")
          .hasSize(sessions)
          .doesNotHaveDuplicates();
      assertThat(new HashSet<>(announced)).isEqualTo(ids);
    }
  }

  @Test
  void destroyOnOneInstanceWinsAgainstWritersOnTheOther() throws Exception {
    AtomicInteger resurrections = new AtomicInteger();
    for (int trial = 0; trial < 40; trial++) {
      Session s = await(a.create(SessionDraft.empty().withMaxIdle(Duration.ofHours(1))));
      race(
          List.<Callable<Object>>of(
              () -> await(a.destroy(s.id())),
              () -> {
                try {
                  return await(b.update(s.id(), x -> x.withAttribute("late", true)));
                } catch (RuntimeException e) {
                  return e;
                }
              },
              () -> {
                try {
                  return await(b.save(s.withAttribute("saved", true)));
                } catch (RuntimeException e) {
                  return e;
                }
              }));
      if (await(a.get(s.id())) != null || await(b.get(s.id())) != null) {
        resurrections.incrementAndGet();
      }
    }
    assertThat(resurrections.get()).isZero();
  }
}
