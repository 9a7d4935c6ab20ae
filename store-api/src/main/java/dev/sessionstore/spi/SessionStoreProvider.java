package dev.sessionstore.spi;

import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import java.util.Set;

/**
 * Opens stores for a URI scheme. Implementations are found with {@link java.util.ServiceLoader}:
 * declare them in {@code module-info.java} ({@code provides
 * dev.sessionstore.spi.SessionStoreProvider with …}) and in {@code
 * META-INF/services/dev.sessionstore.spi.SessionStoreProvider} for the class path. They need a
 * public no-argument constructor and must be thread-safe.
 */
public interface SessionStoreProvider {

  /**
   * The main scheme this provider serves, in lower case, such as {@code memory}.
   *
   * @return the scheme
   */
  String scheme();

  /**
   * Every scheme this provider serves (for example {@code mongodb} and {@code mongodb+srv}).
   *
   * @return the schemes, in lower case; by default only {@link #scheme()}
   */
  default Set<String> schemes() {
    return Set.of(scheme());
  }

  /**
   * Opens a store.
   *
   * @param options the URI and typed options; providers honour at least {@link StoreOptions#CLOCK}
   *     and {@link StoreOptions#ID_GENERATOR}
   * @return a new, open store
   * @throws IllegalArgumentException naming the problem, if an option is invalid or unknown
   */
  SessionStore open(StoreOptions options);
}
