package dev.sessionstore;

import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An asynchronous store of {@link Session sessions}.
 *
 * <p>Every method is lazy: nothing happens until the returned publisher is subscribed to, and each
 * subscription does the work once. No method parks the subscribing thread. Sessions that are
 * expired on the store's clock are never returned or counted, whether or not a reaper has run.
 *
 * <p>A session id is a bearer secret: stores never log it in full. Ids that are not well formed
 * (see {@link Session#isWellFormedId(String)}) are never sent to the backend.
 *
 * <p>Every store answers misuse the same way, always through the returned publisher (nothing is
 * thrown when the call is made): a {@code null} draft, session, {@code change} or principal fails
 * with {@link NullPointerException} naming it (a {@code null} id is a malformed id: empty or {@code
 * false}, as for any malformed id); a principal that is empty or not well-formed UTF-16 with {@link
 * IllegalArgumentException}; any operation after {@link #close()} with {@link
 * IllegalStateException}.
 *
 * <p>Implementations are thread-safe. Obtain one with {@link SessionStores#open(String)} or from a
 * store's own builder, and {@link #close()} it when the application stops.
 */
public interface SessionStore extends AutoCloseable {

  /**
   * Creates a session with a fresh id from the store's id generator; never overwrites an existing
   * one.
   *
   * @param draft the initial data, principal and expiry of the session
   * @return the stored session, at version 1
   * @throws PrincipalConflictException (signalled) if the draft claims a principal exclusively
   *     while another live session holds that claim
   * @throws SessionTooLargeException (signalled) if the session exceeds the store's size limit
   * @throws StoreFullException (signalled) if the store is bounded and full
   */
  Mono<Session> create(SessionDraft draft);

  /**
   * Reads a live session and refreshes its {@link Session#lastAccessedAt()}.
   *
   * @param id the session id
   * @return the session, or empty if the id is unknown, expired, destroyed or malformed
   */
  Mono<Session> get(String id);

  /**
   * Stores the whole session, replacing what was stored under its id (last writer wins).
   *
   * @param session the session to store; its {@link Session#version()} is ignored
   * @return the stored session, with the version incremented by one
   * @throws IllegalArgumentException (signalled) if the id is malformed
   * @throws SessionDestroyedException (signalled) if the id was destroyed
   * @throws PrincipalConflictException (signalled) if an exclusive principal claim conflicts
   * @throws SessionTooLargeException (signalled) if the session exceeds the store's size limit
   */
  Mono<Session> save(Session session);

  /**
   * Stores the session only if the stored version equals {@link Session#version()}
   * (compare-and-set).
   *
   * @param session the session to store, carrying the version it was read at
   * @return the stored session, with the version incremented by one
   * @throws StaleSessionException (signalled) if the stored version differs or nothing is stored
   * @throws SessionDestroyedException (signalled) if the id was destroyed
   */
  Mono<Session> saveIfUnchanged(Session session);

  /**
   * Atomically reads, changes and writes one session. Concurrent updates of one id are
   * linearizable: each sees the result of the previous one and none is lost. Optimistic stores may
   * call {@code change} more than once, so it must be free of side effects.
   *
   * @param id the session id
   * @param change computes the new session from the current one; must keep the id
   * @return the stored session, or empty if no live session has that id
   */
  Mono<Session> update(String id, UnaryOperator<Session> change);

  /**
   * Refreshes {@link Session#lastAccessedAt()} of a live session without changing its version.
   *
   * @param id the session id
   * @return the refreshed session, or empty if no live session has that id
   */
  Mono<Session> touch(String id);

  /**
   * Destroys a session and leaves a tombstone, so that no in-flight write can bring it back.
   *
   * @param id the session id
   * @return {@code true} if a live session was destroyed
   */
  Mono<Boolean> destroy(String id);

  /**
   * Moves a session to a new id (for example after login, against session fixation) and destroys
   * the old id.
   *
   * @param id the current session id
   * @return the session under its new id, or empty if no live session has the old id
   */
  Mono<Session> regenerate(String id);

  /**
   * Finds the live sessions bound to a principal.
   *
   * @param principal the principal, for example a user name
   * @return the live sessions bound to it, in no particular order
   */
  Flux<Session> findByPrincipal(String principal);

  /**
   * Streams every live session, honouring backpressure.
   *
   * @return the live sessions, in no particular order
   */
  Flux<Session> all();

  /**
   * Counts the live sessions.
   *
   * @return the number of live sessions
   */
  Mono<Long> count();

  /**
   * Destroys every live session, leaving tombstones as {@link #destroy(String)} does.
   *
   * @return how many live sessions were destroyed
   */
  Mono<Long> clear();

  /**
   * Physically removes tombstones older than the tombstone grace and expired sessions. Stores also
   * run this on their own schedule.
   *
   * @return how many records were removed
   */
  Mono<Long> cleanup();

  /**
   * The events of this store instance's own operations, if it has {@link
   * StoreCapabilities.Capability#EVENTS}; otherwise an empty flux. A slow subscriber never blocks
   * the store: events it cannot take are dropped and counted.
   *
   * @return a hot stream of events
   */
  Flux<SessionEvent> events();

  /**
   * How many events were dropped since the store opened because a subscriber of {@link #events()}
   * fell behind its bounded buffer (SPEC R7.1). A store without {@link
   * StoreCapabilities.Capability#EVENTS} returns zero.
   *
   * @return the number of dropped events
   */
  long droppedEvents();

  /**
   * What this store can do beyond the mandatory contract.
   *
   * @return the store's capabilities
   */
  StoreCapabilities capabilities();

  /**
   * Releases the store's resources. Afterwards every operation fails with {@link
   * IllegalStateException}. Idempotent.
   */
  @Override
  void close();
}
