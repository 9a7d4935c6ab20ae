package dev.sessionstore.tck;

/**
 * Cuts and restores the backend of a store under test, so that the kit can check the failure rules
 * R8.1 and R8.2. A store with a remote backend typically puts a TCP proxy between the store and the
 * backend and closes or reopens it here. A store without a backend has no such hook, and the kit
 * reports R8.1 and R8.2 as skipped.
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
   * Makes the backend reachable again after {@link #cut()}. Calling it while the backend is reachable
   * has no effect.
   */
  void restore();
}
