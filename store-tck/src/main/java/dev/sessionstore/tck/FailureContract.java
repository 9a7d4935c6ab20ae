package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.draft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStoreException;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import reactor.core.publisher.Mono;

/**
 * Rules R8.1, R8.2 and R8.4: behaviour while the backend is unreachable, and with a record the
 * store cannot decode, through the implementer's {@link BackendControl}. Without one, these tests
 * are skipped with the reason. Part of {@link SessionStoreTck}; adopt the kit through that
 * interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface FailureContract {

  /** The operation timeout the failure tests give the store, to keep the kit fast. */
  Duration FAILURE_TIMEOUT = Duration.ofSeconds(1);

  /** How much later than its timeout a failing operation may report, for scheduling slack. */
  Duration FAILURE_SLACK = Duration.ofSeconds(2);

  /** How long a store may take to recover after the backend is restored. */
  Duration RECOVERY_WAIT = Duration.ofSeconds(30);

  private static SessionStore storeWithBackend(StoreFixture kit) {
    Assumptions.assumeTrue(
        kit.backendControl() != null,
        "no BackendControl hook: override SessionStoreTck.backendControl() to cut and restore the backend");
    return kit.open(o -> o.with(StoreOptions.TIMEOUT, FAILURE_TIMEOUT));
  }

  /** Polls until the store answers again; the store must recover by itself. */
  private static void awaitRecovery(SessionStore store, String probeId) {
    long deadline = System.nanoTime() + RECOVERY_WAIT.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      Kit.Outcome<Session> outcome = Kit.outcome(store.get(probeId), "get while recovering");
      if (!outcome.isError()) {
        return;
      }
      last = outcome.error();
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError(
        "the store did not recover within "
            + RECOVERY_WAIT
            + " after the backend was restored; last error: "
            + last,
        last);
  }

  /**
   * Checks that every operation fails fast with StoreUnavailableException and that the store
   * recovers.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R8.1 with the backend cut, every operation fails within the timeout with StoreUnavailableException; the store recovers")
  default void r8_1_unreachableBackend(StoreFixture kit) {
    SessionStore store = storeWithBackend(kit);
    Session s =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "v").withPrincipal("alice", false)),
            "create");
    Session t = awaitValue(store.create(draft(Duration.ofHours(1))), "create");
    kit.cutBackend();
    Map<String, Supplier<Mono<?>>> operations = new LinkedHashMap<>();
    operations.put("create", () -> store.create(SessionDraft.empty()));
    operations.put("get", () -> store.get(s.id()));
    operations.put("save", () -> store.save(s.withAttribute("k", "w")));
    operations.put("saveIfUnchanged", () -> store.saveIfUnchanged(s.withAttribute("k", "w")));
    operations.put("update", () -> store.update(s.id(), x -> x.withAttribute("k", "w")));
    operations.put("touch", () -> store.touch(s.id()));
    operations.put("destroy", () -> store.destroy(t.id()));
    operations.put("regenerate", () -> store.regenerate(s.id()));
    operations.put("findByPrincipal", () -> store.findByPrincipal("alice").collectList());
    operations.put("all", () -> store.all().collectList());
    operations.put("count", store::count);
    operations.put("clear", store::clear);
    operations.put("cleanup", store::cleanup);
    long start = System.nanoTime();
    Map<String, CompletableFuture<?>> running = new LinkedHashMap<>();
    Map<String, Long> finishedAt = new java.util.concurrent.ConcurrentHashMap<>();
    operations.forEach(
        (name, operation) ->
            running.put(
                name,
                operation
                    .get()
                    .doOnTerminate(() -> finishedAt.put(name, System.nanoTime()))
                    .toFuture()));
    long limit = FAILURE_TIMEOUT.plus(FAILURE_SLACK).toNanos();
    List<String> problems = new ArrayList<>();
    running.forEach(
        (name, future) -> {
          try {
            Object value =
                future.get(Math.max(1, start + limit - System.nanoTime()), TimeUnit.NANOSECONDS);
            problems.add(name + " succeeded with " + value + " while the backend was cut");
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof StoreUnavailableException)) {
              problems.add(
                  name + " failed with " + e.getCause() + " instead of StoreUnavailableException");
            }
          } catch (TimeoutException e) {
            future.cancel(true);
            problems.add(
                name
                    + " did not fail within the timeout of "
                    + FAILURE_TIMEOUT
                    + " (+"
                    + FAILURE_SLACK
                    + ")");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
        });
    assertThat(problems).as("operations with the backend cut").isEmpty();
    assertThat(finishedAt).as("operations that finished").hasSize(operations.size());

    kit.restoreBackend();
    awaitRecovery(store, s.id());
    Session after =
        awaitValue(store.create(draft(Duration.ofHours(1), "k", "after")), "create after recovery");
    Session updated =
        awaitValue(
            store.update(after.id(), x -> x.withAttribute("k", "updated")),
            "update after recovery");
    assertThat(awaitValue(store.get(after.id()), "get after recovery").data())
        .as("data written after recovery")
        .isEqualTo(updated.data());
  }

  /**
   * Checks that failures do not lose completed writes.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R8.2 a write that completed is never lost by a later failure of another operation")
  default void r8_2_completedWritesSurvive(StoreFixture kit) {
    SessionStore store = storeWithBackend(kit);
    Session a = awaitValue(store.create(draft(Duration.ofHours(1), "k", "a1")), "create a");
    Session a2 = awaitValue(store.save(a.withAttribute("k", "a2")), "save a");
    Session b = awaitValue(store.create(draft(Duration.ofHours(1), "k", "b1")), "create b");
    Session b2 = awaitValue(store.update(b.id(), x -> x.withAttribute("k", "b2")), "update b");
    kit.cutBackend();
    List<Kit.Outcome<?>> failed = new ArrayList<>();
    failed.add(
        Kit.outcome(store.save(a2.withAttribute("k", "a3?")), "save of a with the backend cut"));
    failed.add(
        Kit.outcome(
            store.create(draft(Duration.ofHours(1), "k", "c?")), "create with the backend cut"));
    failed.add(
        Kit.outcome(
            store.update(a.id(), x -> x.withAttribute("k", "a4?")), "update with the backend cut"));
    kit.restoreBackend();
    awaitRecovery(store, b.id());
    Session bRead = awaitValue(store.get(b.id()), "get of b after the failures");
    Kit.sameData(bRead.data(), b2.data(), "data of b, untouched during the outage");
    assertThat(bRead.version())
        .as("version of b, untouched during the outage")
        .isEqualTo(b2.version());
    Session aRead = awaitValue(store.get(a.id()), "get of a after the failures");
    assertThat(aRead.version())
        .as(
            "version of a (its completed save is kept; failed writes may or may not "
                + "have taken effect)")
        .isGreaterThanOrEqualTo(a2.version());
    assertThat(aRead.attribute("k")).as("data of a").isIn("a2", "a3?", "a4?");
    assertThat(failed).as("outcomes during the outage").hasSize(3);
  }

  /**
   * Checks that one undecodable record breaks neither the scans nor other sessions, and that
   * reading it fails naming its redacted id.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R8.4 an undecodable record never breaks count, all, findByPrincipal, cleanup or other sessions; get of it fails naming the redacted id")
  default void r8_4_undecodableRecord(StoreFixture kit) {
    BackendControl control = kit.backendControl();
    Assumptions.assumeTrue(
        control != null,
        "no BackendControl hook: override SessionStoreTck.backendControl() and implement corrupt(store, id)");
    SessionStore store = kit.store();
    Session good =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "good").withPrincipal("alice", false)),
            "create a good session of alice");
    Session bad =
        awaitValue(
            store.create(draft(Duration.ofHours(1), "k", "bad").withPrincipal("alice", false)),
            "create the session whose record is then corrupted");
    Session doomed =
        awaitValue(
            store.create(draft(Duration.ofMinutes(1), "k", "doomed")), "create a short-lived one");
    Assumptions.assumeTrue(
        control.corrupt(store, bad.id()),
        "the BackendControl cannot corrupt a record: its corrupt(store, id) returned false");
    List<String> problems = new ArrayList<>();
    Kit.Outcome<Long> count = Kit.outcome(store.count(), "count");
    if (count.isError() || count.value() == null || count.value() < 2 || count.value() > 3) {
      problems.add(
          "count with one undecodable record among 3 gave "
              + count
              + " (expected 2, or 3 counting it)");
    }
    Kit.Outcome<List<Session>> all = Kit.outcome(store.all().collectList(), "all");
    if (all.isError()
        || ids(all.value()).size() != 2
        || !ids(all.value()).contains(good.id())
        || !ids(all.value()).contains(doomed.id())) {
      problems.add(
          "all with one undecodable record gave "
              + describe(all)
              + "; expected the 2 decodable sessions");
    }
    Kit.Outcome<List<Session>> alice =
        Kit.outcome(store.findByPrincipal("alice").collectList(), "findByPrincipal");
    if (alice.isError() || !ids(alice.value()).equals(List.of(good.id()))) {
      problems.add(
          "findByPrincipal(alice) with her second record undecodable gave "
              + describe(alice)
              + "; expected her decodable session only");
    }
    Kit.Outcome<Session> other =
        Kit.outcome(
            store.update(good.id(), x -> x.withAttribute("k", "still good")),
            "update of another session");
    if (other.isError() || other.value() == null || other.value().version() != 2) {
      problems.add("update of another session gave " + other);
    }
    Kit.Outcome<Session> read = Kit.outcome(store.get(bad.id()), "get of the undecodable record");
    if (!(read.error() instanceof SessionStoreException)) {
      problems.add(
          "get of the undecodable record gave " + read + "; expected a SessionStoreException");
    } else {
      String message = String.valueOf(read.error().getMessage());
      if (message.contains(bad.id())) {
        problems.add(
            "the error of get of the undecodable record prints the whole session id: "
                + read.error().getClass().getSimpleName()
                + " (use Session.redact)");
      } else if (!message.contains(Session.redact(bad.id()))) {
        problems.add(
            "the error of get of the undecodable record does not name its redacted id "
                + Session.redact(bad.id())
                + ": "
                + message);
      }
    }
    kit.clock().advance(Duration.ofMinutes(2));
    Kit.Outcome<Long> cleanup = Kit.outcome(store.cleanup(), "cleanup");
    if (cleanup.isError() || cleanup.value() == null || cleanup.value() < 1) {
      problems.add(
          "cleanup with an undecodable record and an expired session gave "
              + cleanup
              + "; expected at least the expired session removed");
    }
    Kit.Outcome<Session> afterCleanup = Kit.outcome(store.get(good.id()), "get after cleanup");
    if (afterCleanup.isError() || afterCleanup.value() == null) {
      problems.add("get of a good session after cleanup gave " + afterCleanup);
    }
    assertThat(problems).as("operations that an undecodable record broke").isEmpty();
  }

  private static List<String> ids(@Nullable List<Session> sessions) {
    List<String> ids = new ArrayList<>();
    if (sessions != null) {
      for (Session s : sessions) {
        ids.add(s.id());
      }
    }
    return ids;
  }

  private static String describe(Kit.Outcome<List<Session>> outcome) {
    if (outcome.error() != null) {
      return "error " + outcome.error();
    }
    List<String> shown = new ArrayList<>();
    for (String id : ids(outcome.value())) {
      shown.add(Session.redact(id));
    }
    return shown.size() + " sessions " + shown;
  }
}
