package dev.sessionstore.memory;

import dev.sessionstore.Session;
import java.time.Instant;

/** What the store keeps under one id: a session, or the tombstone of a destroyed one. */
sealed interface Slot permits Slot.Stored, Slot.Tombstone {

  /**
   * A stored session. It may be expired on the store clock and not yet removed.
   *
   * @param session the session, immutable
   */
  record Stored(Session session) implements Slot {}

  /**
   * The mark a destroyed id leaves so that no late write brings it back. A single long: tombstones
   * of a busy store outnumber its live sessions.
   *
   * @param destroyedAtMillis when the session was destroyed, in epoch milliseconds of the store
   *     clock
   */
  record Tombstone(long destroyedAtMillis) implements Slot {

    static Tombstone at(Instant now) {
      return new Tombstone(now.toEpochMilli());
    }
  }
}
