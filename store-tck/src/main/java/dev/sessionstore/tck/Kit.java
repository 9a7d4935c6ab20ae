package dev.sessionstore.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Helpers shared by the kit's tests: waiting for publishers with a bound, and building data. */
final class Kit {

  /** The longest the kit waits for one store operation before it fails the test. */
  static final Duration WAIT = Duration.ofSeconds(10);

  private Kit() {}

  /** What a publisher did: completed with a value, completed empty, or failed. */
  record Outcome<T>(@Nullable T value, @Nullable Throwable error) {
    boolean isError() {
      return error != null;
    }

    boolean isEmpty() {
      return error == null && value == null;
    }

    @Override
    public String toString() {
      return error != null ? "error " + error : value == null ? "empty" : "value " + value;
    }
  }

  /** Subscribes and waits at most {@link #WAIT} for the outcome; a timeout fails the test. */
  static <T> Outcome<T> outcome(Mono<T> mono, String what) {
    return outcome(mono, what, WAIT);
  }

  /** Subscribes and waits at most {@code wait} for the outcome; a timeout fails the test. */
  static <T> Outcome<T> outcome(Mono<T> mono, String what, Duration wait) {
    CompletableFuture<T> future = mono.toFuture();
    try {
      return new Outcome<>(future.get(wait.toMillis(), TimeUnit.MILLISECONDS), null);
    } catch (ExecutionException e) {
      return new Outcome<>(null, e.getCause());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError(what + ": no answer within " + wait + " (the operation hangs)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + ": interrupted", e);
    }
  }

  /** Waits for a value or empty completion; an error fails the test, naming the operation. */
  static <T> @Nullable T await(Mono<T> mono, String what) {
    Outcome<T> outcome = outcome(mono, what);
    if (outcome.error() != null) {
      throw new AssertionError(what + " failed unexpectedly: " + outcome.error(), outcome.error());
    }
    return outcome.value();
  }

  /** Waits for a value; empty completion or an error fails the test. */
  static <T> T awaitValue(Mono<T> mono, String what) {
    T value = await(mono, what);
    if (value == null) {
      throw new AssertionError(what + " completed empty; a value was expected");
    }
    return value;
  }

  /** Waits for an error; a value or empty completion fails the test. */
  static Throwable awaitError(Mono<?> mono, String what) {
    Outcome<?> outcome = outcome(mono, what);
    if (outcome.error() == null) {
      throw new AssertionError(what + " should have failed but completed with " + outcome);
    }
    return outcome.error();
  }

  /** Expects empty completion within {@link #WAIT}, described for the report. */
  static void expectEmpty(Mono<?> mono, String what) {
    StepVerifier.create(mono).as(what).expectComplete().verify(WAIT);
  }

  /** Expects one value equal to {@code expected}, then completion. */
  static <T> void expectValue(Mono<T> mono, T expected, String what) {
    StepVerifier.create(mono).as(what).expectNext(expected).expectComplete().verify(WAIT);
  }

  /** Expects an error of the given type; the report shows the actual outcome otherwise. */
  static <E extends Throwable> E expectError(Mono<?> mono, Class<E> type, String what) {
    Throwable error = awaitError(mono, what);
    assertThat(error).as(what).isInstanceOf(type);
    return type.cast(error);
  }

  /** Collects a flux; an error fails the test. */
  static <T> List<T> awaitList(Flux<T> flux, String what) {
    List<T> list = await(flux.collectList(), what);
    return list == null ? List.of() : list;
  }

  /** The ids of the sessions a flux emits, sorted. */
  static Set<String> ids(Flux<Session> sessions, String what) {
    Set<String> ids = new TreeSet<>();
    for (Session session : awaitList(sessions, what)) {
      ids.add(session.id());
    }
    return ids;
  }

  /** Session data from alternating keys and values. */
  static SessionData data(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return SessionData.of(map);
  }

  /** A draft with data and an explicit idle limit. */
  static SessionDraft draft(Duration maxIdle, Object... keysAndValues) {
    return SessionDraft.of(data(keysAndValues)).withMaxIdle(maxIdle);
  }

  /** A draft with a two-hour idle limit and a deadline {@code in} from now on the test's clock. */
  static SessionDraft withDeadline(StoreFixture kit, Duration in) {
    return SessionDraft.empty().withMaxIdle(Duration.ofHours(2)).withDeadline(kit.clock().instant().plus(in));
  }

  /** A counter attribute's value, 0 when absent. */
  static long counter(Session session, String name) {
    Object value = session.attribute(name);
    return value == null ? 0 : (Long) value;
  }
}
