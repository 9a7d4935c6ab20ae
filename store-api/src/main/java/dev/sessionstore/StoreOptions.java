package dev.sessionstore;

import dev.sessionstore.spi.OptionTypes;
import dev.sessionstore.spi.StoreUri;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * The configuration a store is opened with: a store URI such as {@code memory:?maxSessions=1000} or
 * {@code mongodb://user:secret@host/app?collection=sessions}, plus typed values set in code.
 *
 * <p>An {@link Option} is read with {@link #get(Option)}: a value set with {@link #with(Option,
 * Object)} wins; otherwise the URI parameter of the option's name (matched without regard to case)
 * is parsed; otherwise the option's default applies. Either way the value is checked against the
 * option's bounds, with the same message: a negative {@link #MAX_IDLE} set in code fails like
 * {@code ?maxIdle=-1s}. Durations are written as ISO-8601 ({@code PT30M}) or as a number with a
 * unit ({@code 500ms}, {@code 30s}, {@code 30m}, {@code 2h}, {@code 1d}); {@code none} means "no
 * limit" where an option allows it. Sizes accept {@code KiB}/{@code MiB}/{@code GiB} suffixes.
 *
 * <p>{@link #toString()} never prints secrets: the password of the URI and sensitive parameters are
 * shown as {@code ****}. Immutable and thread-safe.
 */
public final class StoreOptions {

  private static final Duration MILLISECOND = Duration.ofMillis(1);

  /** The clock every time-dependent decision of a store reads; tests inject a controllable one. */
  public static final Option<InstantSource> CLOCK =
      Option.valueOnly("clock", InstantSource.class, InstantSource::system);

  /** How new session ids are made; default {@link SessionIdGenerator#secureRandom()}. */
  public static final Option<SessionIdGenerator> ID_GENERATOR =
      Option.valueOnly("idGenerator", SessionIdGenerator.class, SessionIdGenerator::secureRandom);

  /**
   * The idle limit of sessions whose draft sets none (default 30 minutes; at least 1 ms; {@code
   * none} for no idle limit).
   */
  public static final Option<Duration> MAX_IDLE =
      OptionTypes.duration("maxIdle", Duration.ofMinutes(30), MILLISECOND, true);

  /**
   * How old {@code lastAccessedAt} must be before a read refreshes it (default zero: every read
   * refreshes; not negative). A larger value saves writes on stores where a refresh costs a round
   * trip.
   */
  public static final Option<Duration> TOUCH_THRESHOLD =
      OptionTypes.duration("touchThreshold", Duration.ZERO, Duration.ZERO, false);

  /**
   * How long a tombstone is kept after its {@code destroy} before {@code cleanup} removes it
   * (default 10 minutes; not negative).
   */
  public static final Option<Duration> TOMBSTONE_GRACE =
      OptionTypes.duration("tombstoneGrace", Duration.ofMinutes(10), Duration.ZERO, false);

  /** The largest session a store accepts, in bytes (default 1 MiB; at least 1). */
  public static final Option<Long> MAX_SESSION_BYTES =
      OptionTypes.size("maxSessionBytes", 1024L * 1024L, 1L);

  /**
   * How long an operation on a remote backend may take before it fails (default 5 seconds; at least
   * 1 ms). A store in this JVM's memory accepts it and has nothing to wait for.
   */
  public static final Option<Duration> TIMEOUT =
      OptionTypes.duration("timeout", Duration.ofSeconds(5), MILLISECOND, false);

  /** How often a store runs {@code cleanup} by itself (default 1 minute; at least 1 ms). */
  public static final Option<Duration> CLEANUP_INTERVAL =
      OptionTypes.duration("cleanupInterval", Duration.ofMinutes(1), MILLISECOND, false);

  /**
   * The scheduler on which a store runs its own periodic work (reapers, sweepers, its scheduled
   * {@code cleanup}); default {@code null}: the store uses Reactor's parallel scheduler. Tests
   * inject a virtual-time scheduler so that nothing waits on a real timer.
   */
  public static final Option<Scheduler> SCHEDULER =
      Option.valueOnly("scheduler", Scheduler.class, () -> null);

  private final StoreUri uri;
  private final Map<Option<?>, @Nullable Object> values;

  private StoreOptions(StoreUri uri, Map<Option<?>, @Nullable Object> values) {
    this.uri = uri;
    this.values = values;
  }

  /**
   * Parses a store URI.
   *
   * @param uri the URI, such as {@code memory:} or {@code mongodb://host/app?collection=sessions}
   * @return the options
   * @throws IllegalArgumentException naming the problem, if the URI is empty, has no scheme, has a
   *     fragment or has a malformed parameter
   */
  public static StoreOptions parse(String uri) {
    return new StoreOptions(StoreUri.parse(uri), Map.of());
  }

  /**
   * Returns a copy with a typed value set in code, which wins over the URI parameter of that name.
   * The value is checked when it is read, exactly like a URI parameter.
   *
   * @param <T> the option's type
   * @param option the option
   * @param value the value; {@code null} where the option allows "none"
   * @return the new options
   * @throws IllegalArgumentException if the value is not of the option's type
   */
  public <T> StoreOptions with(Option<T> option, @Nullable T value) {
    Objects.requireNonNull(option, "option");
    if (value != null && !option.type().isInstance(value)) {
      throw new IllegalArgumentException(
          "option "
              + option.name()
              + " takes a "
              + option.type().getName()
              + ", not a "
              + value.getClass().getName());
    }
    Map<Option<?>, @Nullable Object> copy = new IdentityHashMap<>(values);
    copy.put(option, value);
    return new StoreOptions(uri, Collections.unmodifiableMap(copy));
  }

  /**
   * Returns options with another URI and the same values set in code. The TCK uses it: it hands a
   * store's factory options carrying a test clock, and the factory points them at its own URI.
   *
   * @param uri the new store URI
   * @return the new options
   * @throws IllegalArgumentException if the URI is invalid, as for {@link #parse(String)}
   */
  public StoreOptions withUri(String uri) {
    return new StoreOptions(StoreUri.parse(uri), values);
  }

  /**
   * Reads and checks an option: the value set in code, else the parsed URI parameter, else the
   * default.
   *
   * @param <T> the option's type
   * @param option the option
   * @return the value; {@code null} only where the option allows "none"
   * @throws IllegalArgumentException naming the option, if its value is out of bounds, the URI
   *     parameter cannot be parsed or is given twice
   */
  public <T> @Nullable T get(Option<T> option) {
    if (values.containsKey(option)) {
      T value = option.type().cast(values.get(option));
      return option.checked(value, String.valueOf(value));
    }
    String raw = uri.parameter(option.name());
    if (raw == null) {
      return option.defaultValue();
    }
    Function<String, ? extends @Nullable T> parser = option.parser;
    if (parser == null) {
      throw new IllegalArgumentException(
          "option "
              + option.name()
              + " cannot be given in the URI; set it in code with StoreOptions.with");
    }
    String shown = "'" + (option.sensitive() ? "****" : raw) + "'";
    T value;
    try {
      value = parser.apply(raw);
    } catch (RuntimeException e) {
      throw option.invalid(shown, e);
    }
    return option.checked(value, shown);
  }

  /**
   * Reads an option that must have a value.
   *
   * @param <T> the option's type
   * @param option the option
   * @return the value
   * @throws IllegalArgumentException if it is "none", out of bounds or cannot be parsed
   */
  public <T> T require(Option<T> option) {
    T value = get(option);
    if (value == null) {
      throw new IllegalArgumentException("option " + option.name() + " must have a value");
    }
    return value;
  }

  /**
   * Says whether the option was given, in code or as a URI parameter.
   *
   * @param option the option
   * @return whether it is set rather than defaulted
   */
  public boolean isSet(Option<?> option) {
    return values.containsKey(option) || uri.parameter(option.name()) != null;
  }

  /**
   * @return the scheme, in lower case, such as {@code memory} or {@code mongodb+srv}
   */
  public String scheme() {
    return uri.scheme();
  }

  /**
   * Returns the URI exactly as given. It may contain a password: never log it; log {@link
   * #toString()} instead.
   *
   * @return the URI
   */
  public String uri() {
    return uri.uri();
  }

  @Override
  public String toString() {
    List<String> sensitive = new ArrayList<>();
    for (Option<?> option : values.keySet()) {
      if (option.sensitive()) {
        sensitive.add(option.name());
      }
    }
    StringBuilder out = new StringBuilder("StoreOptions{uri=").append(uri.redacted(sensitive));
    for (Map.Entry<Option<?>, @Nullable Object> entry : values.entrySet()) {
      out.append(", ")
          .append(entry.getKey().name())
          .append('=')
          .append(entry.getKey().sensitive() ? "****" : String.valueOf(entry.getValue()));
    }
    return out.append('}').toString();
  }

  /**
   * A named, typed option. Well-known ones are constants of {@link StoreOptions}; stores declare
   * their own (for example a collection name) with {@link dev.sessionstore.spi.OptionTypes} or the
   * factory methods here. Every value, set in code or parsed from the URI, passes the option's
   * check. Options are compared by identity. Immutable and thread-safe.
   *
   * @param <T> the type of the option's value
   */
  public static final class Option<T> {
    private final String name;
    private final Class<T> type;
    private final @Nullable Function<String, ? extends @Nullable T> parser;
    private final Consumer<? super T> check;
    private final Supplier<? extends @Nullable T> defaultValue;
    private final boolean sensitive;

    private Option(
        String name,
        Class<T> type,
        @Nullable Function<String, ? extends @Nullable T> parser,
        Consumer<? super T> check,
        Supplier<? extends @Nullable T> defaultValue,
        boolean sensitive) {
      this.name = Objects.requireNonNull(name, "name");
      this.type = Objects.requireNonNull(type, "type");
      this.parser = parser;
      this.check = Objects.requireNonNull(check, "check");
      this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
      this.sensitive = sensitive;
    }

    /**
     * Declares an option that can be given as a URI parameter.
     *
     * @param <T> the value type
     * @param name the parameter name
     * @param type the value type
     * @param parser turns the decoded parameter into a value ({@code null} for "none"); throws
     *     {@link IllegalArgumentException} saying what is wrong on bad input
     * @param check checks a non-null value, parsed or set in code; throws {@link
     *     IllegalArgumentException} saying what is wrong (for example "must not be negative")
     * @param defaultValue the value when neither code nor URI sets it; may be null
     * @return the option
     */
    public static <T> Option<T> of(
        String name,
        Class<T> type,
        Function<String, ? extends @Nullable T> parser,
        Consumer<? super T> check,
        @Nullable T defaultValue) {
      return new Option<>(name, type, parser, check, () -> defaultValue, false);
    }

    /**
     * Declares an option that can be given as a URI parameter and is never printed.
     *
     * @param <T> the value type
     * @param name the parameter name
     * @param type the value type
     * @param parser turns the decoded parameter into a value
     * @param check checks a non-null value, parsed or set in code
     * @param defaultValue the default; may be null
     * @return the option
     */
    public static <T> Option<T> sensitive(
        String name,
        Class<T> type,
        Function<String, ? extends @Nullable T> parser,
        Consumer<? super T> check,
        @Nullable T defaultValue) {
      return new Option<>(name, type, parser, check, () -> defaultValue, true);
    }

    /**
     * Declares an option that only code can set (such as a clock).
     *
     * @param <T> the value type
     * @param name the option name
     * @param type the value type
     * @param defaultValue makes the default each time it is needed
     * @return the option
     */
    public static <T> Option<T> valueOnly(
        String name, Class<T> type, Supplier<? extends @Nullable T> defaultValue) {
      return new Option<>(name, type, null, value -> {}, defaultValue, false);
    }

    /**
     * @return the name, also the URI parameter's name
     */
    public String name() {
      return name;
    }

    /**
     * @return the value type
     */
    public Class<T> type() {
      return type;
    }

    /**
     * @return the default value; may be null
     */
    public @Nullable T defaultValue() {
      return defaultValue.get();
    }

    /**
     * @return whether the value is secret and never printed
     */
    public boolean sensitive() {
      return sensitive;
    }

    /**
     * @return whether the option can be given as a URI parameter
     */
    public boolean inUri() {
      return parser != null;
    }

    private @Nullable T checked(@Nullable T value, String shown) {
      if (value != null) {
        try {
          check.accept(value);
        } catch (RuntimeException e) {
          throw invalid(sensitive ? "****" : shown, e);
        }
      }
      return value;
    }

    private IllegalArgumentException invalid(String shown, RuntimeException cause) {
      return new IllegalArgumentException(
          "option " + name + "=" + shown + " is invalid: " + cause.getMessage(), cause);
    }

    @Override
    public String toString() {
      return "Option(" + name + ")";
    }
  }
}
