package dev.sessionstore.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.SessionTooLargeException;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issue #11's "done when": every store, opened with the same bad options, fails with the same
 * errors (SPEC R9.1: an unknown parameter, a negative duration in the URI or in code, a bad size, a
 * bad choice), and the same good options work on every store; misuse (null arguments, a bad
 * principal, a closed store) is signalled alike. Each store is one nested class running the same
 * cases, so the expected messages below are the one text every store must give.
 */
class SameOptionsEveryStoreTest {

  /** The bad options and the message every store gives, word for word (or its start). */
  static Stream<Arguments> badOptions() {
    return Stream.of(
        uri("maxIdel=20m", "unknown parameter maxIdel for the "),
        uri("maxIdle=-1s", "option maxIdle='-1s' is invalid: must not be negative"),
        uri(
            "touchThreshold=-PT1S",
            "option touchThreshold='-PT1S' is invalid: must not be negative"),
        uri("tombstoneGrace=-5m", "option tombstoneGrace='-5m' is invalid: must not be negative"),
        uri(
            "maxIdle=0ms",
            "option maxIdle='0ms' is invalid: must be at least 1ms, or 'none' for no limit"),
        uri(
            "maxIdle=soon",
            "option maxIdle='soon' is invalid: not a duration; write PT30M, 500ms, 30s, 30m, 2h or 1d"),
        uri(
            "timeout=none",
            "option timeout='none' is invalid: 'none' is not allowed here; give a duration"),
        uri("timeout=0s", "option timeout='0s' is invalid: must be at least 1ms"),
        uri("cleanupInterval=0s", "option cleanupInterval='0s' is invalid: must be at least 1ms"),
        uri(
            "maxSessionBytes=lots",
            "option maxSessionBytes='lots' is invalid: not a size; write a number of bytes, or 512KiB or 1MiB"),
        uri("maxSessionBytes=0", "option maxSessionBytes='0' is invalid: must be at least 1"),
        uri("maxIdle=1m&maxIdle=2m", "option maxIdle is given twice in the store URI"),
        code(
            "MAX_IDLE=-1s",
            o -> o.with(StoreOptions.MAX_IDLE, Duration.ofSeconds(-1)),
            "option maxIdle=PT-1S is invalid: must not be negative"),
        code(
            "TOUCH_THRESHOLD=-1s",
            o -> o.with(StoreOptions.TOUCH_THRESHOLD, Duration.ofSeconds(-1)),
            "option touchThreshold=PT-1S is invalid: must not be negative"),
        code(
            "TOMBSTONE_GRACE=-1s",
            o -> o.with(StoreOptions.TOMBSTONE_GRACE, Duration.ofSeconds(-1)),
            "option tombstoneGrace=PT-1S is invalid: must not be negative"),
        code(
            "TIMEOUT=0",
            o -> o.with(StoreOptions.TIMEOUT, Duration.ZERO),
            "option timeout=PT0S is invalid: must be at least 1ms"),
        code(
            "MAX_SESSION_BYTES=-1",
            o -> o.with(StoreOptions.MAX_SESSION_BYTES, -1L),
            "option maxSessionBytes=-1 is invalid: must not be negative"));
  }

  private static Arguments uri(String parameters, String message) {
    return Arguments.of("?" + parameters, (UnaryOperator<StoreOptions>) o -> o, message);
  }

  private static Arguments code(String name, UnaryOperator<StoreOptions> set, String message) {
    return Arguments.of("in code " + name, set, message);
  }

  /**
   * The cases every store runs; a store supplies its base URI and one option with a fixed set of
   * values.
   */
  abstract static class Contract {

    /**
     * @return the store's base URI, possibly with parameters of its own
     */
    abstract String baseUri();

    /**
     * @return a parameter of this store taking one of a fixed set of values, given a bad value
     */
    abstract String badChoice();

    /**
     * @return the start of the message for {@link #badChoice()}
     */
    abstract String badChoiceMessage();

    private StoreOptions options(String parameters) {
      String base = baseUri();
      return StoreOptions.parse(
          parameters.isEmpty() ? base : base + (base.indexOf('?') < 0 ? "?" : "&") + parameters);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sessionstore.mongodb.SameOptionsEveryStoreTest#badOptions")
    void badOptionsFailWithTheSameMessage(
        String label, UnaryOperator<StoreOptions> inCode, String message) {
      String parameters = label.startsWith("?") ? label.substring(1) : "";
      StoreOptions options = inCode.apply(options(parameters));
      assertThatThrownBy(() -> SessionStores.open(options).close())
          .as("opening with %s", label)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(message);
    }

    @Test
    void aBadChoiceNamesTheParameterAndTheChoices() {
      assertThatThrownBy(() -> SessionStores.open(options(badChoice())).close())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(badChoiceMessage());
    }

    @Test
    void theUnknownParameterMessageListsTheCommonOptions() {
      assertThatThrownBy(() -> SessionStores.open(options("colour=blue")).close())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown parameter colour")
          .hasMessageContaining("known parameters: ")
          .hasMessageContaining("cleanupInterval, ")
          .hasMessageContaining("maxIdle, maxSessionBytes, ")
          .hasMessageContaining("timeout, tombstoneGrace, touchThreshold");
    }

    @Test
    void misuseIsSignalledAlike() {
      try (SessionStore store = SessionStores.open(options(""))) {
        Mono<Session> create = store.create(null);
        assertThatThrownBy(create::block)
            .as("a null draft, signalled when subscribed")
            .isInstanceOf(NullPointerException.class)
            .hasMessageContaining("draft");
        Mono<Session> save = store.save(null);
        assertThatThrownBy(save::block)
            .isInstanceOf(NullPointerException.class)
            .hasMessageContaining("session");
        Mono<Session> update = store.update("abc", null);
        assertThatThrownBy(update::block)
            .isInstanceOf(NullPointerException.class)
            .hasMessageContaining("change");
        Flux<Session> unpaired = store.findByPrincipal("\uD800");
        assertThatThrownBy(unpaired::blockLast)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("unpaired surrogate");
        assertThat(store.get(null).block()).as("a null id is a malformed id").isNull();
        assertThat(store.destroy(null).block()).isFalse();
        store.close();
        Mono<Long> count = store.count();
        assertThatThrownBy(count::block)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("closed");
      }
    }

    @Test
    void theSameGoodOptionsWork() {
      StoreOptions options =
          options(
                  "maxIdle=20m&touchThreshold=1m&tombstoneGrace=0s"
                      + "&maxSessionBytes=64KiB&timeout=5s&cleanupInterval=30s")
              .with(StoreOptions.TOMBSTONE_GRACE, Duration.ofSeconds(30));
      try (SessionStore store = SessionStores.open(options)) {
        Session created = store.create(SessionDraft.empty()).block();
        assertThat(created).isNotNull();
        assertThat(created.maxIdle()).as("maxIdle from the URI").isEqualTo(Duration.ofMinutes(20));
        assertThat(store.get(created.id()).block()).isNotNull();
        assertThatThrownBy(
                () -> store.save(created.withAttribute("big", "x".repeat(70_000))).block())
            .as("over maxSessionBytes=64KiB")
            .isInstanceOf(SessionTooLargeException.class);
        assertThat(store.count().block()).isEqualTo(1L);
      }
      StoreOptions none = options("maxIdle=none");
      try (SessionStore store = SessionStores.open(none)) {
        Session created = store.create(SessionDraft.empty()).block();
        assertThat(created).isNotNull();
        assertThat(created.maxIdle()).as("maxIdle=none").isNull();
      }
    }
  }

  @Nested
  class Memory extends Contract {
    @Override
    String baseUri() {
      return "memory:";
    }

    @Override
    String badChoice() {
      return "whenFull=sometimes";
    }

    @Override
    String badChoiceMessage() {
      return "option whenFull='sometimes' is invalid: expected one of [reject, evict]";
    }
  }

  @Nested
  class MongoDb extends Contract {
    @Override
    String baseUri() {
      return EmbeddedMongo.get().freshUri("");
    }

    @Override
    String badChoice() {
      return "createIndexes=maybe";
    }

    @Override
    String badChoiceMessage() {
      return "option createIndexes='maybe' is invalid: expected true or false";
    }
  }
}
