package dev.sessionstore.mongodb;

import dev.sessionstore.Session;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A document of the sessions collection as read: a session or a tombstone, with its version and
 * sweep state.
 *
 * @param id the session id
 * @param version the stored version
 * @param session the session; {@code null} for a tombstone
 * @param tombstonedAt when the session was destroyed; {@code null} unless a tombstone
 * @param swept whether some store instance has claimed the expired session and emitted its event
 */
record StoredSession(
    String id, long version, @Nullable Session session, @Nullable Instant tombstonedAt,
    boolean swept) {

  boolean isTombstone() {
    return session == null;
  }

  /** Live: not a tombstone and not expired at {@code now} on the store clock. */
  boolean isLive(Instant now) {
    return session != null && !session.isExpiredAt(now);
  }

  /** Expired: not a tombstone, but at or past its expiry. */
  boolean isExpired(Instant now) {
    return session != null && session.isExpiredAt(now);
  }

  /** The session; only for documents that are not tombstones. */
  Session live() {
    if (session == null) {
      throw new IllegalStateException("tombstone has no session");
    }
    return session;
  }
}
