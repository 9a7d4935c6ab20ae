package dev.sessionstore.tck;

import dev.sessionstore.SessionStore;

/**
 * Reaches behind a store under test into its backend, so that the kit can check the failure rules:
 * {@link #cut()} and {@link #restore()} for R8.1 and R8.2, and optionally {@link
 * #corrupt(SessionStore, String)} for R8.4. A store with a remote backend typically puts a TCP
 * proxy between the store and the backend and closes or reopens it here. A store without a backend
 * has no such hook, and the kit reports R8.1, R8.2 and R8.4 as skipped.
 *
 * <p>Implementations must be thread-safe; the kit calls them from its test thread.
 */
public interface BackendControl {

  /**
   * Makes the backend unreachable: from now on, the store's requests must fail (or hang until the
   * store's timeout) as they would if the network or the server went away. Calling it while the
   * backend is already cut has no effect.
   */
  void cut();

  /**
   * Makes the backend reachable again after {@link #cut()}. Calling it while the backend is
   * reachable has no effect.
   */
  void restore();

  /**
   * Makes the stored record of one session undecodable for {@code store}, as a record corrupted by
   * hand or written by another version of the store would be (SPEC R8.4): for example, give a field
   * the store needs a value of the wrong type, or remove it. Only that record may change.
   *
   * @param store the store under test that wrote the record (a hook serving several stores finds
   *     the right backend location through it)
   * @param sessionId the id of a live session of that store
   * @return true if the record is now corrupt; false (the default) if this hook cannot corrupt
   *     records, and the kit then reports R8.4 as skipped
   */
  default boolean corrupt(SessionStore store, String sessionId) {
    return false;
  }
}
