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
    return SessionDraft.empty()
        .withMaxIdle(Duration.ofHours(2))
        .withDeadline(kit.clock().instant().plus(in));
  }

  /**
   * Fails unless two session data are equal, naming what differs: the path of each changed, missing
   * or unexpected key (control and non-ASCII characters escaped) and the differing values, never
   * whole data.
   */
  static void sameData(SessionData actual, SessionData expected, String what) {
    if (actual.equals(expected)) {
      return;
    }
    List<String> differences = new java.util.ArrayList<>();
    diff("", actual.asMap(), expected.asMap(), differences);
    if (differences.isEmpty()) {
      differences.add(
          "the data differ in order or type only: " + shorten(String.valueOf(actual.asMap())));
    }
    int shown = Math.min(differences.size(), 5);
    throw new AssertionError(
        what
            + ": "
            + differences.size()
            + " difference(s): "
            + String.join("; ", differences.subList(0, shown))
            + (shown < differences.size() ? "; ..." : ""));
  }

  private static void diff(
      String path, @Nullable Object actual, @Nullable Object expected, List<String> out) {
    if (java.util.Objects.equals(actual, expected)) {
      return;
    }
    if (actual instanceof Map<?, ?> a && expected instanceof Map<?, ?> e) {
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        String key = String.valueOf(entry.getKey());
        String at = path + "[" + HostileKeys.escaped(key) + "]";
        if (!a.containsKey(key)) {
          out.add("key " + at + " is missing (written as " + shorten(entry.getValue()) + ")");
        } else {
          diff(at, a.get(key), entry.getValue(), out);
        }
      }
      for (Object key : a.keySet()) {
        if (!e.containsKey(key)) {
          out.add(
              "key "
                  + path
                  + "["
                  + HostileKeys.escaped(String.valueOf(key))
                  + "] was never written (reads as "
                  + shorten(a.get(key))
                  + ")");
        }
      }
      return;
    }
    if (actual instanceof List<?> a && expected instanceof List<?> e && a.size() == e.size()) {
      for (int i = 0; i < a.size(); i++) {
        diff(path + "[" + i + "]", a.get(i), e.get(i), out);
      }
      return;
    }
    out.add(
        (path.isEmpty() ? "the data" : path)
            + " reads as "
            + shorten(actual)
            + ", written as "
            + shorten(expected));
  }

  private static String shorten(@Nullable Object value) {
    String text = value == null ? "null" : value.getClass().getSimpleName() + " " + value;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 80; i++) {
      char c = text.charAt(i);
      out.append(
          c < 0x20 || (c >= 0x7f && c < 0xa0) || Character.isSurrogate(c)
              ? String.format(java.util.Locale.ROOT, "\\u%04X", (int) c)
              : String.valueOf(c));
    }
    return out.length() < 80 ? out.toString() : out + "...";
  }

  /** A counter attribute's value, 0 when absent. */
  static long counter(Session session, String name) {
    Object value = session.attribute(name);
    return value == null ? 0 : (Long) value;
  }
}
