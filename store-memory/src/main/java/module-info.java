/**
 * A non-persistent {@link dev.sessionstore.SessionStore} in the JVM's memory, on Caffeine, with
 * per-session locking. Opened with the {@code memory:} scheme.
 */
module dev.sessionstore.memory {
  requires transitive dev.sessionstore.api;
  requires com.github.benmanes.caffeine;
  requires static org.jspecify;

  exports dev.sessionstore.memory;

  provides dev.sessionstore.spi.SessionStoreProvider with
      dev.sessionstore.memory.MemorySessionStoreProvider;
}
