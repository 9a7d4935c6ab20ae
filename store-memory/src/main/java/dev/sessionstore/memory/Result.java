package dev.sessionstore.memory;

import dev.sessionstore.Session;
import org.jspecify.annotations.Nullable;

/**
 * What a step inside one id's locked section decided, besides the id's new slot. A sealed value
 * instead of flags set from inside the section: each operation switches over the cases it can meet.
 */
sealed interface Result {

  /**
   * The id holds a session or a tombstone: {@code create} and {@code regenerate} draw another id.
   */
  Result IN_USE = new InUse();

  /**
   * The stored exclusive session had expired: its claim was taken over by another session. It was
   * removed with its {@code EXPIRED} event (SPEC R4.5, R5.2).
   */
  Result LOST = new Lost();

  /** An empty answer: the id held nothing to act on. */
  Result NONE = new Value(null);

  /**
   * The operation's answer.
   *
   * @param session the session to return, or {@code null} for an empty answer
   */
  record Value(@Nullable Session session) implements Result {}

  /**
   * The operation failed and the slot is unchanged.
   *
   * @param error the error to signal
   */
  record Failure(RuntimeException error) implements Result {}

  /** See {@link #IN_USE}. */
  record InUse() implements Result {}

  /** See {@link #LOST}. */
  record Lost() implements Result {}

  /**
   * {@code destroy} left a tombstone, or found nothing.
   *
   * @param wasLive whether a live session was destroyed
   */
  record Destroyed(boolean wasLive) implements Result {}

  /**
   * The session of a {@link Value}, the error of a {@link Failure} thrown, else {@code null}.
   *
   * @return the session, or {@code null}
   */
  default @Nullable Session session() {
    if (this instanceof Failure failure) {
      throw failure.error();
    }
    return this instanceof Value value ? value.session() : null;
  }
}
