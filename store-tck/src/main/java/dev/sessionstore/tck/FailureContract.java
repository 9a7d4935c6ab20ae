package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.draft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Rules R8.1 and R8.2: behaviour while the backend is unreachable, through the implementer's {@link
 * BackendControl}. Without one, these tests are skipped with the reason. Part of {@link
 * SessionStoreTck}; adopt the kit through that interface.
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
    Assumptions.assumeTrue(kit.backendControl() != null,
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
    throw new AssertionError("the store did not recover within " + RECOVERY_WAIT
        + " after the backend was restored; last error: " + last, last);
  }

  /**
   * Checks that every operation fails fast with StoreUnavailableException and that the store recovers.
   *
   * @param kit the test's fixture
   */
  @Test
  @DisplayName("R8.1 with the backend cut, every operation fails within the timeout with StoreUnavailableException; the store recovers")
  default void r8_1_unreachableBackend(StoreFixture kit) {
    SessionStore store = storeWithBackend(kit);
    Session s = awaitValue(store.create(draft(Duration.ofHours(1), "k", "v").withPrincipal("alice", false)), "create");
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
    operations.forEach((name, operation) -> running.put(name,
        operation.get().doOnTerminate(() -> finishedAt.put(name, System.nanoTime())).toFuture()));
    long limit = FAILURE_TIMEOUT.plus(FAILURE_SLACK).toNanos();
    List<String> problems = new ArrayList<>();
    running.forEach((name, future) -> {
      try {
        Object value = future.get(Math.max(1, start + limit - System.nanoTime()), TimeUnit.NANOSECONDS);
        problems.add(name + " succeeded with " + value + " while the backend was cut");
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof StoreUnavailableException)) {
          problems.add(name + " failed with " + e.getCause() + " instead of StoreUnavailableException");
        }
      } catch (TimeoutException e) {
        future.cancel(true);
        problems.add(name + " did not fail within the timeout of " + FAILURE_TIMEOUT + " (+" + FAILURE_SLACK + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    });
    assertThat(problems).as("operations with the backend cut").isEmpty();
    assertThat(finishedAt).as("operations that finished").hasSize(operations.size());

    kit.restoreBackend();
    awaitRecovery(store, s.id());
    Session after = awaitValue(store.create(draft(Duration.ofHours(1), "k", "after")), "create after recovery");
    Session updated = awaitValue(store.update(after.id(), x -> x.withAttribute("k", "updated")), "update after recovery");
    assertThat(awaitValue(store.get(after.id()), "get after recovery").data()).as("data written after recovery")
        .isEqualTo(updated.data());
  }

  /**
   * Checks that failures do not lose completed writes.
   *
   * @param kit the test's fixture
   */
  @Test
  @DisplayName("R8.2 a write that completed is never lost by a later failure of another operation")
  default void r8_2_completedWritesSurvive(StoreFixture kit) {
    SessionStore store = storeWithBackend(kit);
    Session a = awaitValue(store.create(draft(Duration.ofHours(1), "k", "a1")), "create a");
    Session a2 = awaitValue(store.save(a.withAttribute("k", "a2")), "save a");
    Session b = awaitValue(store.create(draft(Duration.ofHours(1), "k", "b1")), "create b");
    Session b2 = awaitValue(store.update(b.id(), x -> x.withAttribute("k", "b2")), "update b");
    kit.cutBackend();
    List<Kit.Outcome<?>> failed = new ArrayList<>();
    failed.add(Kit.outcome(store.save(a2.withAttribute("k", "a3?")), "save of a with the backend cut"));
    failed.add(Kit.outcome(store.create(draft(Duration.ofHours(1), "k", "c?")), "create with the backend cut"));
    failed.add(Kit.outcome(store.update(a.id(), x -> x.withAttribute("k", "a4?")), "update with the backend cut"));
    kit.restoreBackend();
    awaitRecovery(store, b.id());
    Session bRead = awaitValue(store.get(b.id()), "get of b after the failures");
    assertThat(bRead.data()).as("data of b, untouched during the outage").isEqualTo(b2.data());
    assertThat(bRead.version()).as("version of b, untouched during the outage").isEqualTo(b2.version());
    Session aRead = awaitValue(store.get(a.id()), "get of a after the failures");
    assertThat(aRead.version()).as("version of a (its completed save is kept; failed writes may or may not "
        + "have taken effect)").isGreaterThanOrEqualTo(a2.version());
    assertThat(aRead.attribute("k")).as("data of a").isIn("a2", "a3?", "a4?");
    assertThat(failed).as("outcomes during the outage").hasSize(3);
  }
}
