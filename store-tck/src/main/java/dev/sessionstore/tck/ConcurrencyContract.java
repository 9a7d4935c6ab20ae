package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.counter;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.outcome;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StaleSessionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;

/**
 * Stress tests with counts, on real threads behind a start gate: lost updates (R2.4), destroy
 * against in-flight writers (R3.2), concurrent exclusive claims (R5.2) and compare-and-set
 * contention (R2.3). Counts scale with {@link SessionStoreTck#stressScale()}. Part of {@link
 * SessionStoreTck}; adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface ConcurrencyContract {

  /**
   * The quiz race: a timer and eight answer writers update one session; no update may be lost.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.4 timer plus answers: 1 timer thread and 8 answer writers update one session and no update is lost")
  default void r2_4_timerPlusAnswers(StoreFixture kit) {
    SessionStore store = kit.store();
    int writers = 8;
    int answersPerWriter = 240 * kit.stressScale();
    int ticks = 80 * kit.stressScale();
    long startSeconds = 1_000_000;
    Session quiz =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "remaining", startSeconds, "seq", 0L)),
            "create the quiz session");
    List<Callable<Integer>> tasks = new ArrayList<>();
    tasks.add(
        () -> {
          for (int i = 0; i < ticks; i++) {
            awaitValue(
                store.update(
                    quiz.id(),
                    x ->
                        x.withAttribute("remaining", counter(x, "remaining") - 1)
                            .withAttribute("seq", counter(x, "seq") + 1)),
                "timer tick");
          }
          return ticks;
        });
    for (int w = 0; w < writers; w++) {
      String name = "answers.w" + w;
      tasks.add(
          () -> {
            for (int i = 0; i < answersPerWriter; i++) {
              awaitValue(
                  store.update(
                      quiz.id(),
                      x ->
                          x.withAttribute(name, counter(x, name) + 1)
                              .withAttribute("seq", counter(x, "seq") + 1)),
                  "answer of " + name);
            }
            return answersPerWriter;
          });
    }
    try (Race race = new Race(tasks.size(), "quiz")) {
      race.run(tasks);
    }
    long total = ticks + (long) writers * answersPerWriter;
    Session end = awaitValue(store.get(quiz.id()), "get the quiz session");
    for (int w = 0; w < writers; w++) {
      assertThat(counter(end, "answers.w" + w))
          .as("answers recorded for writer %d", w)
          .isEqualTo(answersPerWriter);
    }
    assertThat(counter(end, "remaining"))
        .as("remaining seconds after %d timer ticks", ticks)
        .isEqualTo(startSeconds - ticks);
    assertThat(counter(end, "seq")).as("updates seen in sequence (of %d)", total).isEqualTo(total);
    assertThat(end.version()).as("version after %d updates", total).isEqualTo(1 + total);
  }

  /**
   * Destroy racing an in-flight save, saveIfUnchanged, update or touch: the session never comes
   * back.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R3.2 destroy wins against in-flight save, saveIfUnchanged, update and touch: zero resurrections")
  default void r3_2_destroyRacesWriters(StoreFixture kit) {
    SessionStore store = kit.store();
    int trials = 200 * kit.stressScale();
    String[] kinds = {"save", "saveIfUnchanged", "update", "touch"};
    int resurrections = 0;
    List<String> problems = new ArrayList<>();
    try (Race race = new Race(2, "destroy")) {
      for (int trial = 0; trial < trials; trial++) {
        String kind = kinds[trial % kinds.length];
        Session s =
            awaitValue(
                store.create(draft(Duration.ofHours(1), "trial", trial)),
                "create for trial " + trial);
        int t = trial;
        Callable<Object> destroyer = () -> outcome(store.destroy(s.id()), "destroy in trial " + t);
        Callable<Object> writer =
            () -> {
              List<Kit.Outcome<Session>> outcomes = new ArrayList<>();
              Session current = s;
              for (int i = 0; i < 3; i++) {
                Kit.Outcome<Session> o =
                    switch (kind) {
                      case "save" -> outcome(store.save(current.withAttribute("w", i)), "save");
                      case "saveIfUnchanged" ->
                          outcome(
                              store.saveIfUnchanged(current.withAttribute("w", i)),
                              "saveIfUnchanged");
                      case "update" ->
                          outcome(
                              store.update(
                                  s.id(), x -> x.withAttribute("w", Kit.counter(x, "w") + 1)),
                              "update");
                      default -> outcome(store.touch(s.id()), "touch");
                    };
                outcomes.add(o);
                if (o.value() != null) {
                  current = o.value();
                }
              }
              return outcomes;
            };
        List<Object> results = race.run(List.of(destroyer, writer));
        Kit.Outcome<?> destroyed = (Kit.Outcome<?>) results.get(0);
        if (!Boolean.TRUE.equals(destroyed.value())) {
          problems.add(
              "trial "
                  + trial
                  + " ("
                  + kind
                  + "): destroy of a live session answered "
                  + destroyed);
        }
        @SuppressWarnings("unchecked")
        List<Kit.Outcome<Session>> writes = (List<Kit.Outcome<Session>>) results.get(1);
        for (Kit.Outcome<Session> w : writes) {
          if (w.error() != null && !(w.error() instanceof SessionDestroyedException)) {
            problems.add("trial " + trial + " (" + kind + "): write failed with " + w.error());
          }
          if (w.error() instanceof SessionDestroyedException && kind.equals("update")) {
            problems.add(
                "trial "
                    + trial
                    + ": update signalled "
                    + w.error()
                    + " instead of completing empty");
          }
        }
        if (await(store.get(s.id()), "get after the race") != null) {
          resurrections++;
        }
        Kit.Outcome<Session> after =
            outcome(store.save(s.withAttribute("w", "after")), "save after the race");
        if (!(after.error() instanceof SessionDestroyedException)) {
          problems.add("trial " + trial + " (" + kind + "): save after the race gave " + after);
        }
      }
    }
    assertThat(resurrections)
        .as("sessions readable after destroy, over %d trials", trials)
        .isZero();
    assertThat(problems).as("wrong outcomes over %d trials", trials).isEmpty();
    assertThat(await(store.count(), "count"))
        .as("live sessions after %d destroyed ones", trials)
        .isZero();
  }

  /**
   * Concurrent exclusive claims on one principal: exactly one wins per trial.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R5.2 concurrent exclusive claims on one principal by create, save and update: exactly one wins")
  default void r5_2_concurrentClaims(StoreFixture kit) {
    SessionStore store = kit.store();
    int trials = 100 * kit.stressScale();
    List<String> problems = new ArrayList<>();
    try (Race race = new Race(4, "claims")) {
      for (int trial = 0; trial < trials; trial++) {
        String principal = "user-" + trial;
        Session byUpdate = awaitValue(store.create(draft(Duration.ofHours(1))), "create");
        Session bySave = awaitValue(store.create(draft(Duration.ofHours(1))), "create");
        SessionDraft claim = draft(Duration.ofHours(1)).withPrincipal(principal, true);
        List<Callable<Kit.Outcome<Session>>> contenders =
            List.of(
                () -> outcome(store.create(claim), "create claim"),
                () -> outcome(store.create(claim), "create claim"),
                () ->
                    outcome(
                        store.update(byUpdate.id(), x -> x.withPrincipal(principal, true)),
                        "update claim"),
                () -> outcome(store.save(bySave.withPrincipal(principal, true)), "save claim"));
        List<Kit.Outcome<Session>> outcomes = race.run(contenders);
        List<String> winners = new ArrayList<>();
        for (Kit.Outcome<Session> o : outcomes) {
          if (o.value() != null) {
            winners.add(o.value().id());
          } else if (!(o.error() instanceof PrincipalConflictException)) {
            problems.add(
                "trial "
                    + trial
                    + ": a losing claim gave "
                    + o
                    + " instead of PrincipalConflictException");
          }
        }
        if (winners.size() != 1) {
          problems.add("trial " + trial + ": " + winners.size() + " claims won");
        }
        List<Session> bound = Kit.awaitList(store.findByPrincipal(principal), "findByPrincipal");
        if (bound.size() != 1
            || !bound.get(0).exclusive()
            || !winners.contains(bound.get(0).id())) {
          problems.add("trial " + trial + ": sessions bound afterwards: " + bound);
        }
      }
    }
    assertThat(problems)
        .as("trials of 4 concurrent exclusive claims (of %d) with other than one winner", trials)
        .isEmpty();
  }

  /**
   * saveIfUnchanged contention: exactly one writer wins each version.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R2.3 concurrent saveIfUnchanged of one version: exactly one wins, the others are stale")
  default void r2_3_compareAndSetContention(StoreFixture kit) {
    SessionStore store = kit.store();
    int rounds = 100 * kit.stressScale();
    int contenders = 4;
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "winner", -1L)), "create");
    List<String> problems = new ArrayList<>();
    try (Race race = new Race(contenders, "cas")) {
      for (int round = 0; round < rounds; round++) {
        Session read = awaitValue(store.get(s.id()), "get at round " + round);
        List<Callable<Kit.Outcome<Session>>> tasks = new ArrayList<>();
        for (int c = 0; c < contenders; c++) {
          long me = c;
          tasks.add(
              () ->
                  outcome(
                      store.saveIfUnchanged(read.withAttribute("winner", me)), "saveIfUnchanged"));
        }
        List<Kit.Outcome<Session>> outcomes = race.run(tasks);
        long winner = -1;
        int wins = 0;
        for (int c = 0; c < contenders; c++) {
          Kit.Outcome<Session> o = outcomes.get(c);
          if (o.value() != null) {
            wins++;
            winner = c;
          } else if (!(o.error() instanceof StaleSessionException)) {
            problems.add(
                "round " + round + ": a loser gave " + o + " instead of StaleSessionException");
          }
        }
        Session after = awaitValue(store.get(s.id()), "get after round " + round);
        if (wins != 1) {
          problems.add(
              "round "
                  + round
                  + ": "
                  + wins
                  + " of "
                  + contenders
                  + " saveIfUnchanged at version "
                  + read.version()
                  + " succeeded");
        } else if (after.version() != read.version() + 1 || counter(after, "winner") != winner) {
          problems.add(
              "round "
                  + round
                  + ": stored version "
                  + after.version()
                  + " and winner "
                  + after.attribute("winner")
                  + ", expected version "
                  + (read.version() + 1)
                  + " and winner "
                  + winner);
        }
      }
    }
    assertThat(problems).as("rounds (of %d) with other than exactly one winner", rounds).isEmpty();
    assertThat(awaitValue(store.get(s.id()), "get").version())
        .as("version after %d rounds", rounds)
        .isEqualTo(1L + rounds);
  }
}
