package dev.sessionstore.memory;

import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import dev.sessionstore.memory.MemorySessionStore.WhenFull;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link MemorySessionStore} in code, with the same options and checks as a {@code
 * memory:} URI:
 *
 * <pre>{@code
 * MemorySessionStore store = MemorySessionStore.builder()
 *     .maxSessions(50_000)
 *     .whenFull(WhenFull.EVICT)
 *     .option(StoreOptions.MAX_IDLE, Duration.ofMinutes(20))
 *     .build();
 * }</pre>
 *
 * Not thread-safe; the store it builds is.
 */
public final class MemorySessionStoreBuilder {

  private StoreOptions options = StoreOptions.parse(MemorySessionStoreProvider.SCHEME + ":");

  MemorySessionStoreBuilder() {}

  /**
   * Sets the most sessions the store holds ({@link MemorySessionStore#MAX_SESSIONS}).
   *
   * @param maxSessions at least 1
   * @return this builder
   */
  public MemorySessionStoreBuilder maxSessions(long maxSessions) {
    return option(MemorySessionStore.MAX_SESSIONS, maxSessions);
  }

  /**
   * Sets what happens when the store is full ({@link MemorySessionStore#WHEN_FULL}).
   *
   * @param whenFull the policy
   * @return this builder
   */
  public MemorySessionStoreBuilder whenFull(WhenFull whenFull) {
    return option(MemorySessionStore.WHEN_FULL, Objects.requireNonNull(whenFull, "whenFull"));
  }

  /**
   * Sets any option, such as {@link StoreOptions#MAX_IDLE} or {@link StoreOptions#CLOCK}; it is
   * checked by {@link #build()}.
   *
   * @param <T> the option's type
   * @param option the option
   * @param value the value; {@code null} where the option allows "none"
   * @return this builder
   */
  public <T> MemorySessionStoreBuilder option(Option<T> option, @Nullable T value) {
    options = options.with(option, value);
    return this;
  }

  /**
   * Replaces the options with those of a {@code memory:} URI; options set in code so far are kept.
   *
   * @param uri a {@code memory:} URI, such as {@code memory:?maxSessions=1000}
   * @return this builder
   * @throws IllegalArgumentException if the URI is malformed
   */
  public MemorySessionStoreBuilder uri(String uri) {
    options = options.withUri(uri);
    return this;
  }

  /**
   * Opens the store.
   *
   * @return a new, open, empty store
   * @throws IllegalArgumentException naming the option, if one is unknown or invalid
   */
  public MemorySessionStore build() {
    return MemorySessionStore.open(options);
  }
}
