package dev.sessionstore;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a session in a store instance, as published by {@link
 * SessionStore#events()}.
 *
 * @param type what happened
 * @param sessionId the id of the session
 * @param session the last known state of the session (for {@code DESTROYED} and {@code EXPIRED},
 *     the state before it went)
 * @param at when it happened, on the store's clock
 */
public record SessionEvent(Type type, String sessionId, Session session, Instant at) {

  /** The kinds of event. */
  public enum Type {
    /** A session was created. */
    CREATED,
    /** A session's data or metadata was written. */
    UPDATED,
    /** A session was destroyed (including by {@code regenerate} and {@code clear}). */
    DESTROYED,
    /** A session reached its expiry. */
    EXPIRED
  }

  /**
   * Checks that no component is null.
   *
   * @param type what happened
   * @param sessionId the id of the session
   * @param session the last known state
   * @param at when it happened
   */
  public SessionEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(at, "at");
  }

  @Override
  public String toString() {
    return "SessionEvent{" + type + ' ' + Session.redact(sessionId) + " at " + at + '}';
  }
}
