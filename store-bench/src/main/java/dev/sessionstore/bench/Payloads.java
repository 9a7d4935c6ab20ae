package dev.sessionstore.bench;

import dev.sessionstore.SessionData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session payload every benchmark uses: small and typical of a web session (a user name, two
 * roles, a counter), so that per-operation and per-session costs of the store are not hidden behind
 * the cost of copying a large payload.
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
}
