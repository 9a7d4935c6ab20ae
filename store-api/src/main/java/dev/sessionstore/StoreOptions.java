package dev.sessionstore;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * The configuration a store is opened with: a store URI such as {@code memory:?maxSessions=1000} or
 * {@code mongodb://user:secret@host/app?collection=sessions}, plus typed values set in code.
 *
 * <p>An {@link Option} is read with {@link #get(Option)}: a value set with {@link #with(Option,
 * Object)} wins; otherwise the URI parameter of the option's name (matched without regard to case) is
 * parsed; otherwise the option's default applies. Durations are written as ISO-8601 ({@code PT30M}) or
 * as a number with a unit ({@code 500ms}, {@code 30s}, {@code 30m}, {@code 2h}, {@code 1d}); {@code
 * none} means "no limit" where an option allows it. Sizes accept {@code KiB}/{@code MiB} suffixes.
 *
 * <p>{@link #toString()} never prints secrets: the password of the URI and sensitive parameters are
 * shown as {@code ****}. Immutable and thread-safe.
 */
public final class StoreOptions {

  /** The clock every time-dependent decision of a store reads; tests inject a controllable one. */
  public static final Option<InstantSource> CLOCK =
      Option.valueOnly("clock", InstantSource.class, InstantSource::system);

  /** How new session ids are made; default {@link SessionIdGenerator#secureRandom()}. */
  public static final Option<SessionIdGenerator> ID_GENERATOR =
      Option.valueOnly("idGenerator", SessionIdGenerator.class, SessionIdGenerator::secureRandom);

  /**
   * The idle limit of sessions whose draft sets none (default 30 minutes; {@code none} for no idle
   * limit).
   */
  public static final Option<Duration> MAX_IDLE =
      Option.duration("maxIdle", Duration.ofMinutes(30), true);

  /**
   * How old {@code lastAccessedAt} must be before a read refreshes it (default zero: every read
   * refreshes). A larger value saves writes on stores where a refresh costs a round trip.
   */
  public static final Option<Duration> TOUCH_THRESHOLD =
      Option.duration("touchThreshold", Duration.ZERO, false);

  /** How long a tombstone is kept before {@code cleanup} removes it (default 10 minutes). */
  public static final Option<Duration> TOMBSTONE_GRACE =
      Option.duration("tombstoneGrace", Duration.ofMinutes(10), false);

  /** The largest encoded session a store accepts, in bytes (default 1 MiB). */
  public static final Option<Long> MAX_SESSION_BYTES =
      Option.size("maxSessionBytes", 1024L * 1024L);

  /** How long an operation on a remote backend may take before it fails (default 5 seconds). */
  public static final Option<Duration> TIMEOUT = Option.duration("timeout", Duration.ofSeconds(5), false);

  /** How often a store runs {@code cleanup} by itself (default 1 minute). */
  public static final Option<Duration> CLEANUP_INTERVAL =
      Option.duration("cleanupInterval", Duration.ofMinutes(1), false);

  /**
   * The scheduler on which a store runs its own periodic work (reapers, sweepers, its scheduled
   * {@code cleanup}); default {@code null}: the store uses Reactor's parallel scheduler. Tests inject a
   * virtual-time scheduler so that nothing waits on a real timer.
   */
  public static final Option<Scheduler> SCHEDULER =
      Option.valueOnly("scheduler", Scheduler.class, () -> null);

  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
  private static final Set<String> SENSITIVE_NAMES =
      Set.of("password", "pass", "pwd", "secret", "token", "apikey", "api_key", "credentials");

  private final String uri;
  private final String scheme;
  private final String beforeQuery;
  private final List<String[]> rawParameters; // {raw name=value segment, decoded name, decoded value}
  private final Map<Option<?>, @Nullable Object> values;

  private StoreOptions(
      String uri,
      String scheme,
      String beforeQuery,
      List<String[]> rawParameters,
      Map<Option<?>, @Nullable Object> values) {
    this.uri = uri;
    this.scheme = scheme;
    this.beforeQuery = beforeQuery;
    this.rawParameters = rawParameters;
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
    if (uri == null) {
      throw new IllegalArgumentException("store URI is null");
    }
    String trimmed = uri.strip();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("store URI is empty; expected for example 'memory:'");
    }
    int colon = trimmed.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("store URI '" + redactUri(trimmed)
          + "' has no scheme; expected for example 'memory:' or 'mongodb://host/database'");
    }
    String scheme = trimmed.substring(0, colon);
    if (!SCHEME.matcher(scheme).matches()) {
      throw new IllegalArgumentException("store URI '" + redactUri(trimmed) + "' has an invalid scheme '"
          + scheme + "'; a scheme is a letter followed by letters, digits, '+', '-' or '.'");
    }
    if (trimmed.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "store URI '" + redactUri(trimmed) + "' has a fragment ('#'); stores take no fragment");
    }
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        throw new IllegalArgumentException("store URI '" + redactUri(trimmed)
            + "' contains a space or control character at index " + i + "; percent-encode it");
      }
    }
    int question = trimmed.indexOf('?');
    String beforeQuery = question < 0 ? trimmed : trimmed.substring(0, question);
    List<String[]> parameters = new ArrayList<>();
    if (question >= 0) {
      for (String segment : trimmed.substring(question + 1).split("&", -1)) {
        if (segment.isEmpty()) {
          continue;
        }
        int eq = segment.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("store URI parameter '" + segment
              + "' is not of the form name=value");
        }
        String name = percentDecode(segment.substring(0, eq), segment);
        String value = percentDecode(segment.substring(eq + 1), segment.substring(0, eq) + "=…");
        parameters.add(new String[] {segment, name, value});
      }
    }
    return new StoreOptions(trimmed, scheme.toLowerCase(Locale.ROOT), beforeQuery,
        Collections.unmodifiableList(parameters), Map.of());
  }

  /**
   * Returns a copy with a typed value set in code, which wins over the URI parameter of that name.
   *
   * @param <T> the option's type
   * @param option the option
   * @param value the value; {@code null} where the option allows "none"
   * @return the new options
   */
  public <T> StoreOptions with(Option<T> option, @Nullable T value) {
    Objects.requireNonNull(option, "option");
    if (value != null && !option.type().isInstance(value)) {
      throw new IllegalArgumentException("option " + option.name() + " takes a "
          + option.type().getName() + ", not a " + value.getClass().getName());
    }
    Map<Option<?>, @Nullable Object> copy = new IdentityHashMap<>(values);
    copy.put(option, value);
    return new StoreOptions(uri, scheme, beforeQuery, rawParameters, Collections.unmodifiableMap(copy));
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
    StoreOptions parsed = parse(uri);
    return new StoreOptions(parsed.uri, parsed.scheme, parsed.beforeQuery, parsed.rawParameters,
        values);
  }

  /**
   * Reads an option: the value set in code, else the parsed URI parameter, else the default.
   *
   * @param <T> the option's type
   * @param option the option
   * @return the value; {@code null} only where the option allows "none"
   * @throws IllegalArgumentException naming the parameter, if the URI parameter cannot be parsed or
   *     is given twice
   */
  public <T> @Nullable T get(Option<T> option) {
    if (values.containsKey(option)) {
      return option.type().cast(values.get(option));
    }
    String raw = parameter(option.name());
    if (raw == null) {
      return option.defaultValue();
    }
    if (option.parser == null) {
      throw new IllegalArgumentException("option '" + option.name()
          + "' cannot be given in the URI; set it in code with StoreOptions.with");
    }
    try {
      return option.parser.apply(raw);
    } catch (RuntimeException e) {
      String shown = option.sensitive() ? "****" : raw;
      throw new IllegalArgumentException("store URI parameter " + option.name() + "='" + shown
          + "' is invalid: " + e.getMessage(), e);
    }
  }

  /**
   * Reads an option that must have a value.
   *
   * @param <T> the option's type
   * @param option the option
   * @return the value
   * @throws IllegalArgumentException if it is "none" or cannot be parsed
   */
  public <T> T require(Option<T> option) {
    T value = get(option);
    if (value == null) {
      throw new IllegalArgumentException("option '" + option.name() + "' must have a value");
    }
    return value;
  }

  /** @return the scheme, in lower case, such as {@code memory} or {@code mongodb+srv} */
  public String scheme() {
    return scheme;
  }

  /**
   * Returns the URI exactly as given. It may contain a password: never log it; log {@link
   * #toString()} instead.
   *
   * @return the URI
   */
  public String uri() {
    return uri;
  }

  /**
   * Returns the URI without the named parameters (matched without regard to case), for example to
   * hand a driver only the parameters it knows. Other parameters are kept as written.
   *
   * @param names the parameter names to drop
   * @return the URI without them; it may contain a password
   */
  public String uriWithout(Collection<String> names) {
    Set<String> drop = lowerCase(names);
    StringBuilder out = new StringBuilder(beforeQuery);
    char separator = '?';
    for (String[] parameter : rawParameters) {
      if (!drop.contains(parameter[1].toLowerCase(Locale.ROOT))) {
        out.append(separator).append(parameter[0]);
        separator = '&';
      }
    }
    return out.toString();
  }

  /**
   * Returns a decoded URI parameter.
   *
   * @param name the parameter name, matched without regard to case
   * @return its value, or {@code null} if absent
   * @throws IllegalArgumentException if it is given more than once
   */
  public @Nullable String parameter(String name) {
    String found = null;
    for (String[] parameter : rawParameters) {
      if (parameter[1].equalsIgnoreCase(name)) {
        if (found != null) {
          throw new IllegalArgumentException("store URI parameter '" + name + "' is given twice");
        }
        found = parameter[2];
      }
    }
    return found;
  }

  /** @return the decoded URI parameters in order; a repeated name keeps its last value */
  public Map<String, String> parameters() {
    Map<String, String> map = new LinkedHashMap<>();
    for (String[] parameter : rawParameters) {
      map.put(parameter[1], parameter[2]);
    }
    return Collections.unmodifiableMap(map);
  }

  /**
   * Checks that every URI parameter is one of the given options, so that a misspelt parameter fails
   * instead of being ignored.
   *
   * @param known the options the store understands
   * @throws IllegalArgumentException naming the unknown parameters and the known ones
   */
  public void requireKnownParameters(Collection<? extends Option<?>> known) {
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (Option<?> option : known) {
      if (option.parser != null) {
        names.add(option.name());
      }
    }
    List<String> unknown = new ArrayList<>();
    for (String[] parameter : rawParameters) {
      if (!names.contains(parameter[1])) {
        unknown.add(parameter[1]);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown parameter" + (unknown.size() > 1 ? "s " : " ")
          + unknown + " for scheme '" + scheme + "'; known parameters: " + names);
    }
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("StoreOptions{uri=").append(redactUri(beforeQuery));
    char separator = '?';
    for (String[] parameter : rawParameters) {
      out.append(separator).append(parameter[1]).append('=');
      out.append(isSensitive(parameter[1]) ? "****" : parameter[2]);
      separator = '&';
    }
    for (Map.Entry<Option<?>, @Nullable Object> entry : values.entrySet()) {
      out.append(", ").append(entry.getKey().name()).append('=')
          .append(entry.getKey().sensitive() ? "****" : String.valueOf(entry.getValue()));
    }
    return out.append('}').toString();
  }

  private boolean isSensitive(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (SENSITIVE_NAMES.contains(lower) || lower.contains("password") || lower.contains("secret")) {
      return true;
    }
    for (Option<?> option : values.keySet()) {
      if (option.sensitive() && option.name().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Replaces the password in {@code scheme://user:password@host} with {@code ****}. */
  private static String redactUri(String uri) {
    int authorityStart = uri.indexOf("//");
    if (authorityStart < 0) {
      return uri;
    }
    int authorityEnd = uri.length();
    for (int i = authorityStart + 2; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '/' || c == '?') {
        authorityEnd = i;
        break;
      }
    }
    int at = uri.lastIndexOf('@', authorityEnd - 1);
    if (at < authorityStart) {
      return uri;
    }
    int colon = uri.indexOf(':', authorityStart + 2);
    if (colon < 0 || colon > at) {
      return uri;
    }
    return uri.substring(0, colon + 1) + "****" + uri.substring(at);
  }

  private static String percentDecode(String s, String context) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("store URI parameter '" + context
              + "' has a malformed percent-escape at index " + i);
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c == '+') {
        out.write(' ');
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Set<String> lowerCase(Collection<String> names) {
    Set<String> set = new TreeSet<>();
    for (String name : names) {
      set.add(name.toLowerCase(Locale.ROOT));
    }
    return set;
  }

  static Duration parseDuration(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (s.charAt(0) == 'P' || s.charAt(0) == 'p') {
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not an ISO-8601 duration such as PT30M", e);
      }
    }
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a duration; write PT30M, 500ms, 30s, 30m, 2h or 1d");
    }
    long amount = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return Duration.ofMillis(amount);
      case "s":
        return Duration.ofSeconds(amount);
      case "m":
        return Duration.ofMinutes(amount);
      case "h":
        return Duration.ofHours(amount);
      default:
        return Duration.ofDays(amount);
    }
  }

  static long parseSize(String text) {
    Matcher m = Pattern.compile("(\\d+)\\s*(|B|KiB|MiB|GiB)").matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size; write a number of bytes, or 512KiB or 1MiB");
    }
    long amount = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "KiB":
        return Math.multiplyExact(amount, 1024L);
      case "MiB":
        return Math.multiplyExact(amount, 1024L * 1024L);
      case "GiB":
        return Math.multiplyExact(amount, 1024L * 1024L * 1024L);
      default:
        return amount;
    }
  }

  /**
   * A named, typed option. Well-known ones are constants of {@link StoreOptions}; stores declare their
   * own (for example a collection name) with the factory methods here. Options are compared by
   * identity. Immutable and thread-safe.
   *
   * @param <T> the type of the option's value
   */
  public static final class Option<T> {
    private final String name;
    private final Class<T> type;
    private final @Nullable Function<String, ? extends @Nullable T> parser;
    private final Supplier<? extends @Nullable T> defaultValue;
    private final boolean sensitive;

    private Option(
        String name,
        Class<T> type,
        @Nullable Function<String, ? extends @Nullable T> parser,
        Supplier<? extends @Nullable T> defaultValue,
        boolean sensitive) {
      this.name = Objects.requireNonNull(name, "name");
      this.type = Objects.requireNonNull(type, "type");
      this.parser = parser;
      this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
      this.sensitive = sensitive;
    }

    /**
     * Declares an option that can be given as a URI parameter.
     *
     * @param <T> the value type
     * @param name the parameter name
     * @param type the value type
     * @param parser turns the decoded parameter into a value; throws on bad input with a message
     * @param defaultValue the value when neither code nor URI sets it; may be null
     * @return the option
     */
    public static <T> Option<T> of(String name, Class<T> type,
        Function<String, ? extends @Nullable T> parser, @Nullable T defaultValue) {
      return new Option<>(name, type, parser, () -> defaultValue, false);
    }

    /**
     * Declares an option that can be given as a URI parameter and is never printed.
     *
     * @param <T> the value type
     * @param name the parameter name
     * @param type the value type
     * @param parser turns the decoded parameter into a value
     * @param defaultValue the default; may be null
     * @return the option
     */
    public static <T> Option<T> sensitive(String name, Class<T> type,
        Function<String, ? extends @Nullable T> parser, @Nullable T defaultValue) {
      return new Option<>(name, type, parser, () -> defaultValue, true);
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
    public static <T> Option<T> valueOnly(String name, Class<T> type,
        Supplier<? extends @Nullable T> defaultValue) {
      return new Option<>(name, type, null, defaultValue, false);
    }

    /**
     * Declares a duration option.
     *
     * @param name the parameter name
     * @param defaultValue the default
     * @param noneAllowed whether {@code none} (null: no limit) is accepted
     * @return the option
     */
    public static Option<Duration> duration(String name, @Nullable Duration defaultValue,
        boolean noneAllowed) {
      return of(name, Duration.class, text -> {
        if (text.strip().equalsIgnoreCase("none")) {
          if (!noneAllowed) {
            throw new IllegalArgumentException("'none' is not allowed here");
          }
          return null;
        }
        Duration d = parseDuration(text);
        if (d.isNegative()) {
          throw new IllegalArgumentException("negative duration");
        }
        return d;
      }, defaultValue);
    }

    /**
     * Declares a size option in bytes ({@code 1048576}, {@code 512KiB}, {@code 1MiB}).
     *
     * @param name the parameter name
     * @param defaultValue the default
     * @return the option
     */
    public static Option<Long> size(String name, long defaultValue) {
      return of(name, Long.class, StoreOptions::parseSize, defaultValue);
    }

    /**
     * Declares a whole-number option with a lower bound.
     *
     * @param name the parameter name
     * @param defaultValue the default
     * @param min the smallest accepted value
     * @return the option
     */
    public static Option<Long> number(String name, long defaultValue, long min) {
      return of(name, Long.class, text -> {
        long value;
        try {
          value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a whole number", e);
        }
        if (value < min) {
          throw new IllegalArgumentException("must be at least " + min);
        }
        return value;
      }, defaultValue);
    }

    /**
     * Declares a boolean option ({@code true} or {@code false}).
     *
     * @param name the parameter name
     * @param defaultValue the default
     * @return the option
     */
    public static Option<Boolean> bool(String name, boolean defaultValue) {
      return of(name, Boolean.class, text -> {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
          throw new IllegalArgumentException("expected true or false");
        }
        return Boolean.valueOf(s);
      }, defaultValue);
    }

    /**
     * Declares a string option.
     *
     * @param name the parameter name
     * @param defaultValue the default; may be null
     * @return the option
     */
    public static Option<String> string(String name, @Nullable String defaultValue) {
      return of(name, String.class, text -> {
        if (text.isEmpty()) {
          throw new IllegalArgumentException("empty value");
        }
        return text;
      }, defaultValue);
    }

    /**
     * Declares an option whose value is one of an enum's constants, written in any case.
     *
     * @param <E> the enum type
     * @param name the parameter name
     * @param type the enum type
     * @param defaultValue the default
     * @return the option
     */
    public static <E extends Enum<E>> Option<E> choice(String name, Class<E> type, E defaultValue) {
      return of(name, type, text -> {
        for (E constant : type.getEnumConstants()) {
          if (constant.name().equalsIgnoreCase(text.strip())) {
            return constant;
          }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
          names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("expected one of " + names);
      }, defaultValue);
    }

    /** @return the name, also the URI parameter's name */
    public String name() {
      return name;
    }

    /** @return the value type */
    public Class<T> type() {
      return type;
    }

    /** @return the default value; may be null */
    public @Nullable T defaultValue() {
      return defaultValue.get();
    }

    /** @return whether the value is secret and never printed */
    public boolean sensitive() {
      return sensitive;
    }

    /** @return whether the option can be given as a URI parameter */
    public boolean inUri() {
      return parser != null;
    }

    @Override
    public String toString() {
      return "Option(" + name + ")";
    }
  }
}
