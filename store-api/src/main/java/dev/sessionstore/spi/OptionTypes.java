package dev.sessionstore.spi;

import dev.sessionstore.StoreOptions.Option;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Declares a store's own {@link Option options} of the common kinds, with the same syntax, bounds
 * and messages as the well-known ones. Each option checks a value set in code exactly like one
 * parsed from the URI.
 *
 * <p>Durations are ISO-8601 ({@code PT30M}) or a number with a unit ({@code 500ms}, {@code 30s},
 * {@code 30m}, {@code 2h}, {@code 1d}); sizes are bytes or {@code KiB}/{@code MiB}/{@code GiB}.
 * Stateless and thread-safe.
 */
public final class OptionTypes {

  private static final Pattern DURATION = Pattern.compile("(-?\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(-?\\d+)\\s*(|B|KiB|MiB|GiB)");

  private OptionTypes() {}

  /**
   * Declares a duration option.
   *
   * @param name the parameter name
   * @param defaultValue the default; {@code null} for "no limit"
   * @param min the shortest accepted duration
   * @param noneAllowed whether {@code none} (no limit, read as {@code null}) is accepted
   * @return the option
   */
  public static Option<Duration> duration(
      String name, @Nullable Duration defaultValue, Duration min, boolean noneAllowed) {
    return Option.of(
        name,
        Duration.class,
        text -> {
          if (text.strip().equalsIgnoreCase("none")) {
            if (!noneAllowed) {
              throw new IllegalArgumentException("'none' is not allowed here; give a duration");
            }
            return null;
          }
          return parseDuration(text);
        },
        value -> {
          if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(
                value.isNegative()
                    ? "must not be negative"
                    : "must be at least "
                        + describe(min)
                        + (noneAllowed ? ", or 'none' for no limit" : ""));
          }
        },
        defaultValue);
  }

  /**
   * Declares a size option in bytes ({@code 1048576}, {@code 512KiB}, {@code 1MiB}).
   *
   * @param name the parameter name
   * @param defaultValue the default
   * @param min the smallest accepted size
   * @return the option
   */
  public static Option<Long> size(String name, long defaultValue, long min) {
    return Option.of(name, Long.class, OptionTypes::parseSize, atLeast(min), defaultValue);
  }

  /**
   * Declares a whole-number option with bounds.
   *
   * @param name the parameter name
   * @param defaultValue the default
   * @param min the smallest accepted value
   * @param max the largest accepted value
   * @return the option
   */
  public static Option<Long> number(String name, long defaultValue, long min, long max) {
    return Option.of(
        name,
        Long.class,
        text -> {
          try {
            return Long.parseLong(text.strip());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number", e);
          }
        },
        value -> {
          if (value < min || value > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
          }
        },
        defaultValue);
  }

  /**
   * Declares a boolean option ({@code true} or {@code false}, in any case).
   *
   * @param name the parameter name
   * @param defaultValue the default
   * @return the option
   */
  public static Option<Boolean> bool(String name, boolean defaultValue) {
    return Option.of(
        name,
        Boolean.class,
        text -> {
          String s = text.strip().toLowerCase(Locale.ROOT);
          if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException("expected true or false");
          }
          return Boolean.valueOf(s);
        },
        value -> {},
        defaultValue);
  }

  /**
   * Declares a non-empty string option.
   *
   * @param name the parameter name
   * @param defaultValue the default; may be null
   * @return the option
   */
  public static Option<String> string(String name, @Nullable String defaultValue) {
    return Option.of(
        name,
        String.class,
        text -> text,
        value -> {
          if (value.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
          }
        },
        defaultValue);
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
    return Option.of(
        name,
        type,
        text -> {
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
        },
        value -> {},
        defaultValue);
  }

  /**
   * Parses a duration: ISO-8601 ({@code PT30M}) or a number with a unit ({@code ms}, {@code s},
   * {@code m}, {@code h}, {@code d}). A negative one parses; the option's bounds refuse it.
   *
   * @param text the text
   * @return the duration
   * @throws IllegalArgumentException if it is not a duration
   */
  public static Duration parseDuration(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    char first = s.charAt(0) == '-' && s.length() > 1 ? s.charAt(1) : s.charAt(0);
    if (first == 'P' || first == 'p') {
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not an ISO-8601 duration such as PT30M", e);
      }
    }
    Matcher m = DURATION.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration; write PT30M, 500ms, 30s, 30m, 2h or 1d");
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("duration out of range", e);
    }
    try {
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
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration out of range", e);
    }
  }

  /**
   * Parses a size in bytes: a number, optionally followed by {@code B}, {@code KiB}, {@code MiB} or
   * {@code GiB}. A negative one parses; the option's bounds refuse it.
   *
   * @param text the text
   * @return the number of bytes
   * @throws IllegalArgumentException if it is not a size
   */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size; write a number of bytes, or 512KiB or 1MiB");
    }
    try {
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
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("size out of range", e);
    }
  }

  private static java.util.function.Consumer<Long> atLeast(long min) {
    return value -> {
      if (value < min) {
        throw new IllegalArgumentException(
            value < 0 ? "must not be negative" : "must be at least " + min);
      }
    };
  }

  private static String describe(Duration d) {
    if (d.isZero()) {
      return "0";
    }
    if (d.toMillis() < 1000 && d.toNanos() % 1_000_000 == 0) {
      return d.toMillis() + "ms";
    }
    return d.toString();
  }
}
