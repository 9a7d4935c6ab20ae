package dev.sessionstore.tck;

import static dev.sessionstore.tck.Kit.await;
import static dev.sessionstore.tck.Kit.awaitValue;
import static dev.sessionstore.tck.Kit.draft;
import static dev.sessionstore.tck.Kit.expectEmpty;
import static dev.sessionstore.tck.Kit.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionTooLargeException;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;

/**
 * Rules R9.1 and R9.2: the common options, and the rules under every configuration the store
 * declares through {@link SessionStoreTck#configurations()} (every kit test runs once per
 * configuration; the R9.2 test below checks that the configuration itself takes effect). Part of
 * {@link SessionStoreTck}; adopt the kit through that interface.
 *
 * <p>Thread-safety: as {@link SessionStoreTck}; JUnit runs each test on one thread.
 */
public interface ConfigurationContract {

  /**
   * Checks that every common option is accepted as a typed value and takes effect.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName("R9.1 every common option is accepted as a typed option and takes effect")
  default void r9_1_typedOptionsAccepted(StoreFixture kit) {
    SessionStore store =
        kit.open(
            o ->
                o.with(StoreOptions.MAX_IDLE, Duration.ofMinutes(20))
                    .with(StoreOptions.TOUCH_THRESHOLD, Duration.ofSeconds(10))
                    .with(StoreOptions.TOMBSTONE_GRACE, Duration.ofMinutes(5))
                    .with(StoreOptions.MAX_SESSION_BYTES, 64L * 1024)
                    .with(StoreOptions.TIMEOUT, Duration.ofSeconds(7))
                    .with(StoreOptions.CLEANUP_INTERVAL, Duration.ofHours(2)));
    Session s = awaitValue(store.create(SessionDraft.empty()), "create with maxIdle=PT20M");
    assertThat(s.maxIdle())
        .as("maxIdle of a session created with the MAX_IDLE option PT20M")
        .isEqualTo(Duration.ofMinutes(20));
    expectError(
        store.update(s.id(), x -> x.withAttribute("big", "b".repeat(100 * 1024))),
        SessionTooLargeException.class,
        "update to 100 KiB with MAX_SESSION_BYTES 64 KiB");
    Instant t0 = s.lastAccessedAt();
    kit.clock().advance(Duration.ofSeconds(5));
    assertThat(awaitValue(store.get(s.id()), "get 5 s later").lastAccessedAt())
        .as("lastAccessedAt after a get within TOUCH_THRESHOLD PT10S")
        .isEqualTo(t0);
    kit.clock().advance(Duration.ofMinutes(21));
    expectEmpty(store.get(s.id()), "get 21 minutes later (maxIdle PT20M)");
  }

  /**
   * Checks that a bad typed value of every common option fails open with a message naming it.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R9.1 a bad typed value of a common option fails open with IllegalArgumentException naming the option")
  default void r9_1_badTypedOptionsRefused(StoreFixture kit) {
    Map<String, UnaryOperator<StoreOptions>> bad = new LinkedHashMap<>();
    bad.put("maxIdle", o -> o.with(StoreOptions.MAX_IDLE, Duration.ofSeconds(-1)));
    bad.put("touchThreshold", o -> o.with(StoreOptions.TOUCH_THRESHOLD, Duration.ofSeconds(-1)));
    bad.put("tombstoneGrace", o -> o.with(StoreOptions.TOMBSTONE_GRACE, Duration.ofSeconds(-1)));
    bad.put("maxSessionBytes", o -> o.with(StoreOptions.MAX_SESSION_BYTES, -1L));
    bad.put("timeout", o -> o.with(StoreOptions.TIMEOUT, Duration.ofSeconds(-1)));
    bad.put("cleanupInterval", o -> o.with(StoreOptions.CLEANUP_INTERVAL, Duration.ofSeconds(-1)));
    List<String> problems = new ArrayList<>();
    bad.forEach(
        (name, option) -> {
          SessionStore opened;
          try {
            opened = kit.open(option);
          } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().contains(name)) {
              problems.add(
                  "a negative "
                      + name
                      + " was refused with a message that does not name it: "
                      + e.getMessage());
            }
            return;
          } catch (RuntimeException e) {
            problems.add(
                "a negative "
                    + name
                    + " failed open with "
                    + e
                    + " instead of IllegalArgumentException");
            return;
          }
          problems.add("a negative " + name + " set in code was accepted (store " + opened + ")");
        });
    assertThat(problems).as("bad typed option values").isEmpty();
  }

  /**
   * Checks that the configuration of this run takes effect and the core rules hold in it.
   *
   * @param kit the test's fixture
   */
  @KitTest
  @DisplayName(
      "R9.2 the store opens in each declared configuration, its options take effect and the core rules hold")
  default void r9_2_configurationTakesEffect(StoreFixture kit) {
    SessionStore store = kit.store();
    Duration threshold = kit.touchThreshold();
    Instant t0 = kit.clock().instant();
    Session a =
        awaitValue(
            store.create(
                draft(Duration.ofMinutes(10), "k", "a")
                    .withDeadline(t0.plus(Duration.ofSeconds(20)))),
            "create with a deadline 20 s ahead");
    Instant t5 = kit.clock().advance(Duration.ofSeconds(5));
    Session read = awaitValue(store.get(a.id()), "get 5 s later");
    assertThat(read.lastAccessedAt())
        .as("lastAccessedAt after a get 5 s later with touchThreshold %s", threshold)
        .isEqualTo(threshold.compareTo(Duration.ofSeconds(5)) <= 0 ? t5 : t0);
    assertThat(read.deadline()).as("deadline after a get").isEqualTo(a.deadline());
    Session updated = awaitValue(store.update(a.id(), x -> x.withAttribute("k", "a2")), "update");
    assertThat(updated.version()).as("version after update").isEqualTo(2L);
    kit.clock().set(t0.plus(Duration.ofSeconds(20)));
    expectEmpty(store.get(a.id()), "get at the deadline");
    expectEmpty(store.update(a.id(), x -> x.withAttribute("k", "late")), "update at the deadline");
    assertThat(await(store.count(), "count")).as("count at the deadline").isZero();

    Session b =
        awaitValue(store.create(SessionDraft.empty()), "create without an idle limit of its own");
    Duration defaultIdle = kit.options().get(StoreOptions.MAX_IDLE);
    assertThat(b.maxIdle()).as("maxIdle from the configuration's MAX_IDLE").isEqualTo(defaultIdle);
    assertThat(await(store.destroy(b.id()), "destroy")).as("destroy of a live session").isTrue();
    expectError(
        store.save(b.withAttribute("k", "back")),
        SessionDestroyedException.class,
        "save after destroy");
    expectEmpty(store.get(b.id()), "get after destroy");
  }
}
