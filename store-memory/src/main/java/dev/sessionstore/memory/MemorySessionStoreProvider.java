package dev.sessionstore.memory;

import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.spi.SessionStoreProvider;

/**
 * Serves the {@code memory:} scheme with a {@link MemorySessionStore}; found by {@link
 * java.util.ServiceLoader}, so {@code SessionStores.open("memory:")} works once this module is on
 * the class or module path. Stateless and thread-safe.
 */
public final class MemorySessionStoreProvider implements SessionStoreProvider {

  /** The URI scheme of the memory store. */
  public static final String SCHEME = "memory";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public MemorySessionStoreProvider() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Opens a memory store; see {@link MemorySessionStore} for the options.
   *
   * @param options a {@code memory:} URI and typed options
   * @return a new, open, empty store
   * @throws IllegalArgumentException naming the parameter, if a parameter is unknown or invalid
   */
  @Override
  public SessionStore open(StoreOptions options) {
    return MemorySessionStore.open(options);
  }
}
