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
 * @param successor for the tombstone of a regenerated session, its new id
 * @param idleExpiry the stored idle expiry; earlier than {@code lastAccessedAt + maxIdle} only when
 *     another instance fenced the expired session off while taking over its claim
 */
record StoredSession(
    String id,
    long version,
    @Nullable Session session,
    @Nullable Instant tombstonedAt,
    boolean swept,
    @Nullable String successor,
    @Nullable Instant idleExpiry) {

  boolean isTombstone() {
    return session == null;
  }

  /** Live: not a tombstone and not expired at {@code now} on the store clock (R4.2). */
  boolean isLive(Instant now) {
    return session != null
        && !session.isExpiredAt(now)
        && (idleExpiry == null || now.isBefore(idleExpiry));
  }

  /** Expired: not a tombstone, but at or past its expiry. */
  boolean isExpired(Instant now) {
    return session != null && !isLive(now);
  }

  /** The session; only for documents that are not tombstones. */
  Session live() {
    if (session == null) {
      throw new IllegalStateException("tombstone has no session");
    }
    return session;
  }
}
