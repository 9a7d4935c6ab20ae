package dev.sessionstore.spi;

import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Every common option of a store, read and checked once when it opens (SPEC R9.1), plus the store's
 * own options. A provider describes its store with {@link #reader(String, String...)} and reads the
 * user's {@link StoreOptions} with {@link Reader#read(StoreOptions)}:
 *
 * <pre>{@code
 * StoreSettings settings = StoreSettings.reader("memory session store", "memory")
 *     .own(MAX_SESSIONS, WHEN_FULL)
 *     .read(options);
 * Duration idle = settings.maxIdle();
 * long max = settings.require(MAX_SESSIONS);
 * }</pre>
 *
 * <p>{@code read} refuses, with {@link IllegalArgumentException} naming the parameter: a scheme the
 * store does not serve; a URI parameter that is neither a common option, nor one of the store's
 * own, nor one of the {@linkplain Reader#clientParameters(String, Collection) client parameters} a
 * remote store passes through (the message lists the known ones); and any value out of bounds, set
 * in code or given in the URI, in the words of {@link StoreOptions#get(Option)}. Every store
 * therefore accepts and refuses the same common options with the same messages. Immutable and
 * thread-safe.
 */
public final class StoreSettings {

  /** The common options every store reads, in the order the README lists them. */
  public static final List<Option<?>> COMMON =
      List.of(
          StoreOptions.MAX_IDLE,
          StoreOptions.TOUCH_THRESHOLD,
          StoreOptions.TOMBSTONE_GRACE,
          StoreOptions.MAX_SESSION_BYTES,
          StoreOptions.TIMEOUT,
          StoreOptions.CLEANUP_INTERVAL,
          StoreOptions.CLOCK,
          StoreOptions.ID_GENERATOR,
          StoreOptions.SCHEDULER);

  private final String storeName;
  private final StoreOptions options;
  private final StoreUri uri;
  private final Set<Option<?>> own;
  private final Set<String> storeParameterNames;
  private final @Nullable Duration maxIdle;
  private final Duration touchThreshold;
  private final Duration tombstoneGrace;
  private final long maxSessionBytes;
  private final Duration timeout;
  private final Duration cleanupInterval;
  private final InstantSource clock;
  private final SessionIdGenerator idGenerator;
  private final @Nullable Scheduler scheduler;

  private StoreSettings(Reader reader, StoreOptions options, StoreUri uri) {
    this.storeName = reader.storeName;
    this.options = options;
    this.uri = uri;
    this.own = Collections.unmodifiableSet(new LinkedHashSet<>(reader.own));
    this.storeParameterNames = reader.storeParameterNames();
    this.maxIdle = millis(options.get(StoreOptions.MAX_IDLE));
    this.touchThreshold =
        Objects.requireNonNull(millis(options.require(StoreOptions.TOUCH_THRESHOLD)));
    this.tombstoneGrace =
        Objects.requireNonNull(millis(options.require(StoreOptions.TOMBSTONE_GRACE)));
    this.maxSessionBytes = options.require(StoreOptions.MAX_SESSION_BYTES);
    this.timeout = options.require(StoreOptions.TIMEOUT);
    this.cleanupInterval = options.require(StoreOptions.CLEANUP_INTERVAL);
    this.clock = options.require(StoreOptions.CLOCK);
    this.idGenerator = options.require(StoreOptions.ID_GENERATOR);
    this.scheduler = options.get(StoreOptions.SCHEDULER);
    for (Option<?> option : own) {
      options.get(option); // checks it now, so that a bad value fails at open
    }
  }

  /**
   * Describes a store whose settings are to be read.
   *
   * @param storeName the store's name in messages, such as {@code "memory session store"}
   * @param schemes the URI schemes the store serves, in lower case
   * @return a reader; set the store's own options and client parameters, then {@link
   *     Reader#read(StoreOptions) read}
   */
  public static Reader reader(String storeName, String... schemes) {
    return new Reader(storeName, List.of(schemes));
  }

  /**
   * What a store accepts; {@link #read(StoreOptions)} turns options into settings. Not thread-safe
   * while being configured; keep a configured reader in a constant and share it.
   */
  public static final class Reader {
    private final String storeName;
    private final List<String> schemes;
    private final List<Option<?>> own = new ArrayList<>();
    private final Set<String> clientParameters = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private String clientName = "";

    private Reader(String storeName, List<String> schemes) {
      this.storeName = Objects.requireNonNull(storeName, "storeName");
      if (schemes.isEmpty()) {
        throw new IllegalArgumentException("a store serves at least one scheme");
      }
      this.schemes = schemes;
    }

    /**
     * Adds the store's own options (beyond {@link #COMMON}).
     *
     * @param options the options
     * @return this reader
     */
    public Reader own(Option<?>... options) {
      own.addAll(List.of(options));
      return this;
    }

    /**
     * Accepts the URI parameters a remote store passes through to its backend's client, taken from
     * the client's own list; any other unknown parameter is refused.
     *
     * @param client the client's name in messages, such as {@code "MongoDB connection string"}
     * @param names the parameter names, matched without regard to case
     * @return this reader
     */
    public Reader clientParameters(String client, Collection<String> names) {
      this.clientName = Objects.requireNonNull(client, "client");
      clientParameters.addAll(names);
      return this;
    }

    /**
     * Reads and checks the options.
     *
     * @param options the user's options
     * @return the settings
     * @throws IllegalArgumentException naming the scheme, the unknown parameter or the invalid
     *     option
     */
    public StoreSettings read(StoreOptions options) {
      Objects.requireNonNull(options, "options");
      if (!schemes.contains(options.scheme())) {
        throw new IllegalArgumentException(
            "the "
                + storeName
                + " opens "
                + String.join(": and ", schemes)
                + ": URIs, not "
                + options.scheme()
                + ":");
      }
      StoreUri uri = StoreUri.of(options);
      Set<String> known = storeParameterNames();
      List<String> unknown = new ArrayList<>();
      for (String name : uri.parameterNames()) {
        if (!known.contains(name) && !clientParameters.contains(name)) {
          unknown.add(name);
        }
      }
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException(
            "unknown parameter"
                + (unknown.size() > 1 ? "s " : " ")
                + String.join(", ", unknown)
                + " for the "
                + storeName
                + " (scheme "
                + options.scheme()
                + "); known parameters: "
                + String.join(", ", known)
                + (clientParameters.isEmpty()
                    ? ""
                    : "; and the "
                        + clientName
                        + " options: "
                        + String.join(", ", clientParameters)));
      }
      return new StoreSettings(this, options, uri);
    }

    private Set<String> storeParameterNames() {
      Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      for (Option<?> option : COMMON) {
        if (option.inUri()) {
          names.add(option.name());
        }
      }
      for (Option<?> option : own) {
        if (option.inUri()) {
          names.add(option.name());
        }
      }
      return Collections.unmodifiableSet(names);
    }
  }

  /**
   * @return the default idle limit, in whole milliseconds, or {@code null} for none
   */
  public @Nullable Duration maxIdle() {
    return maxIdle;
  }

  /**
   * @return how old {@code lastAccessedAt} must be before a read refreshes it, in milliseconds
   */
  public Duration touchThreshold() {
    return touchThreshold;
  }

  /**
   * @return how long a tombstone is kept after its destroy, in milliseconds
   */
  public Duration tombstoneGrace() {
    return tombstoneGrace;
  }

  /**
   * @return the largest session the store accepts, in bytes
   */
  public long maxSessionBytes() {
    return maxSessionBytes;
  }

  /**
   * @return how long an operation on a remote backend may take
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * @return how often the store runs {@code cleanup} by itself
   */
  public Duration cleanupInterval() {
    return cleanupInterval;
  }

  /**
   * @return the store's clock
   */
  public InstantSource clock() {
    return clock;
  }

  /**
   * Reads the store's clock, truncated to milliseconds (the precision of every stored time).
   *
   * @return the current time
   */
  public Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * @return the id generator
   */
  public SessionIdGenerator idGenerator() {
    return idGenerator;
  }

  /**
   * Returns the scheduler for the store's periodic work: the one set with {@link
   * StoreOptions#SCHEDULER}, else Reactor's parallel scheduler.
   *
   * @return the scheduler
   */
  public Scheduler scheduler() {
    Scheduler s = scheduler;
    return s != null ? s : Schedulers.parallel();
  }

  /**
   * Reads one of the store's own options (already checked at {@code read}).
   *
   * @param <T> the option's type
   * @param option an option given to {@link Reader#own(Option...)}, or a common one
   * @return the value; {@code null} only where the option allows "none"
   * @throws IllegalArgumentException if the store did not declare the option
   */
  public <T> @Nullable T get(Option<T> option) {
    if (!own.contains(option) && !COMMON.contains(option)) {
      throw new IllegalArgumentException(
          "option " + option.name() + " is not an option of the " + storeName);
    }
    return options.get(option);
  }

  /**
   * Reads one of the store's own options that must have a value.
   *
   * @param <T> the option's type
   * @param option an option given to {@link Reader#own(Option...)}, or a common one
   * @return the value
   * @throws IllegalArgumentException if it is "none" or the store did not declare the option
   */
  public <T> T require(Option<T> option) {
    T value = get(option);
    if (value == null) {
      throw new IllegalArgumentException("option " + option.name() + " must have a value");
    }
    return value;
  }

  /**
   * @return the options the settings were read from
   */
  public StoreOptions options() {
    return options;
  }

  /**
   * @return the parsed store URI
   */
  public StoreUri uri() {
    return uri;
  }

  /**
   * Returns the store URI without the store's own and common parameters: what a remote store hands
   * its backend's client. It may contain a password: never log it.
   *
   * @return the URI carrying only client parameters
   */
  public String clientUri() {
    return uri.without(storeParameterNames);
  }

  @Override
  public String toString() {
    return storeName
        + " settings{maxIdle="
        + (maxIdle == null ? "none" : maxIdle)
        + ", touchThreshold="
        + touchThreshold
        + ", tombstoneGrace="
        + tombstoneGrace
        + ", maxSessionBytes="
        + maxSessionBytes
        + ", timeout="
        + timeout
        + ", cleanupInterval="
        + cleanupInterval
        + ", uri="
        + options
        + '}';
  }

  private static @Nullable Duration millis(@Nullable Duration d) {
    return d == null ? null : d.truncatedTo(ChronoUnit.MILLIS);
  }
}
