package dev.sessionstore.bench;

import dev.sessionstore.SessionData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session payloads of the benchmarks: {@link #small} (a user name, two roles, a counter), so
 * that per-operation and per-session costs of the store are not hidden behind the cost of copying a
 * large payload; and {@link #kib} (about 1 KiB: cookies, a user name, a quiz with 20 answers), the
 * payload of the save-then-get and {@code SessionData.of} comparisons.
 */
final class Payloads {

  private Payloads() {}

  /**
   * Builds a fresh payload (a new {@link SessionData} instance every call).
   *
   * @param n a number that makes the payload distinct
   * @return the payload
   */
  static SessionData small(long n) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("user", "user-" + n);
    attributes.put("roles", List.of("reader", "writer"));
    attributes.put("cartItems", n % 7);
    return SessionData.of(attributes);
  }

  /**
   * Builds the ~1 KiB payload as plain Java collections, the way an application hands it over: a
   * map of six cookies, a user name, and a quiz map holding 20 answers (each a list of the choice
   * and an {@code Integer} score, which normalises to {@code Long}) and when it started.
   *
   * @param n a number that makes the payload distinct
   * @return a new mutable map (nested maps and lists are mutable too)
   */
  static Map<String, Object> kib(long n) {
    Map<String, Object> cookies = new LinkedHashMap<>();
    for (String name : List.of("theme", "locale", "consent", "tracking", "csrf", "lastPage")) {
      cookies.put(name, name + "-" + n + "-0123456789abcdef0123456789");
    }
    Map<String, Object> answers = new LinkedHashMap<>();
    for (int q = 1; q <= 20; q++) {
      List<Object> answer = new ArrayList<>(2);
      answer.add("option " + (char) ('A' + q % 4));
      answer.add(q % 3);
      answers.put(String.format("q%02d", q), answer);
    }
    Map<String, Object> quiz = new LinkedHashMap<>();
    quiz.put("id", "quiz-" + n % 10);
    quiz.put("startedAt", Instant.ofEpochMilli(1_790_000_000_000L + n));
    quiz.put("answers", answers);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("cookies", cookies);
    payload.put("user", "user-" + n + "@example.com");
    payload.put("quiz", quiz);
    return payload;
  }
}
