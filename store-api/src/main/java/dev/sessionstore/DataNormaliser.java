package dev.sessionstore;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Validates and copies attribute values into {@link AttributeMap}/{@link AttributeList} in one pass
 * (SPEC R6.1): each value is checked, converted and copied once, each string is scanned once (for
 * unpaired surrogates and its UTF-8 length together), and the encoded size and nesting height of
 * every container are summed on the way. Containers already produced by this class are taken as
 * they are. No attribute path is built unless a value is refused: the path is collected while the
 * failure unwinds.
 *
 * <p>One instance per top-level value; not thread-safe. After {@link #value} returns, {@link
 * #height} and {@link #bytes} describe the value it returned.
 */
final class DataNormaliser {

  /** Nesting height of the value last returned: 0 for scalars. */
  int height;

  /** Encoded size of the value last returned. */
  long bytes;

  /** Scratch space for {@link #stringBytes}. */
  private char @Nullable [] buffer;

  /**
   * Normalises a value whose enclosing containers number {@code depth}.
   *
   * @throws Invalid if the value is not allowed
   */
  @Nullable Object value(@Nullable Object value, int depth) {
    height = 0;
    if (value instanceof String) {
      bytes = stringBytes((String) value) + 2;
      return value;
    }
    if (value == null || value instanceof Boolean) {
      bytes = 1;
      return value;
    }
    bytes = 8;
    if (value instanceof Long || value instanceof Double) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float) {
      return ((Float) value).doubleValue();
    }
    if (value instanceof Instant) {
      return ((Instant) value).truncatedTo(ChronoUnit.MILLIS);
    }
    if (value instanceof AttributeMap) {
      return reuse(value, ((AttributeMap) value).height, ((AttributeMap) value).encodedSize, depth);
    }
    if (value instanceof AttributeList) {
      return reuse(
          value, ((AttributeList) value).height, ((AttributeList) value).encodedSize, depth);
    }
    if (value instanceof SessionData) {
      AttributeMap map = ((SessionData) value).attributes();
      return reuse(map, map.height, map.encodedSize, depth);
    }
    if (value instanceof List || value instanceof Map) {
      if (depth >= SessionData.MAX_DEPTH) {
        throw tooDeep();
      }
      return value instanceof List
          ? list((List<?>) value, depth + 1)
          : map((Map<?, ?>) value, depth + 1);
    }
    throw new Invalid(
        "unsupported type "
            + value.getClass().getName()
            + " (allowed: null, Boolean, Long, Double, String, Instant, List, Map<String, ?>)");
  }

  private Object reuse(Object container, int containerHeight, long containerBytes, int depth) {
    if (depth + containerHeight > SessionData.MAX_DEPTH) {
      throw tooDeep();
    }
    height = containerHeight;
    bytes = containerBytes;
    return container;
  }

  private static Invalid tooDeep() {
    return new Invalid("nested deeper than " + SessionData.MAX_DEPTH + " lists and maps");
  }

  private AttributeList list(List<?> list, int childDepth) {
    Object[] copy = list.toArray();
    if (copy.getClass() != Object[].class) {
      copy = java.util.Arrays.copyOf(copy, copy.length, Object[].class);
    }
    long sum = 2;
    int childHeight = 0;
    for (int i = 0; i < copy.length; i++) {
      try {
        copy[i] = value(copy[i], childDepth);
      } catch (Invalid e) {
        throw e.at(i);
      }
      sum += 1 + bytes;
      childHeight = Math.max(childHeight, height);
    }
    height = childHeight + 1;
    bytes = sum;
    return new AttributeList(copy, height, sum);
  }

  /**
   * Copies a map whose values are at {@code childDepth}.
   *
   * @throws Invalid if a key or value is not allowed
   */
  AttributeMap map(Map<?, ?> map, int childDepth) {
    if (map instanceof AttributeMap) {
      AttributeMap same = (AttributeMap) map;
      height = same.height;
      bytes = same.encodedSize;
      return same;
    }
    int n = map.size();
    String[] keys = new String[n];
    Object[] values = new Object[n];
    int count = 0;
    long sum = 2;
    int childHeight = 0;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object k = entry.getKey();
      if (!(k instanceof String)) {
        String found = k == null ? "null" : k.getClass().getName();
        throw new Invalid(
            childDepth == 0
                ? (k == null
                    ? "attribute names must not be null"
                    : "attribute names must be strings, found " + found)
                : "map keys must be strings, found " + found);
      }
      String key = (String) k;
      long keyBytes = stringBytes(key, true);
      Object normalised;
      try {
        normalised = value(entry.getValue(), childDepth);
      } catch (Invalid e) {
        throw e.at(key);
      }
      if (count == keys.length) { // the map grew while we read it
        keys = java.util.Arrays.copyOf(keys, count * 2 + 1);
        values = java.util.Arrays.copyOf(values, count * 2 + 1);
      }
      keys[count] = key;
      values[count++] = normalised;
      sum += keyBytes + 3 + bytes;
      childHeight = Math.max(childHeight, height);
    }
    height = childHeight + 1;
    bytes = sum;
    return new AttributeMap(keys, values, count, height, sum);
  }

  /** Checks a key and returns its UTF-8 length. */
  static long keyBytes(String key) {
    return scan(key, true);
  }

  private long stringBytes(String s) {
    return stringBytes(s, false);
  }

  /**
   * Returns the UTF-8 length of a string, refusing one with an unpaired surrogate.
   *
   * @throws Invalid naming the surrogate; for a key, the failure's path ends at that key
   */
  private long stringBytes(String s, boolean isKey) {
    int n = s.length();
    if (n > 8) {
      // Copy out (an intrinsic, vectorised for Latin-1 strings) and OR every char together, a loop
      // the JIT vectorises too: the common all-ASCII string needs no per-char decision.
      char[] chars = buffer;
      if (chars == null || chars.length < n) {
        chars = new char[Math.max(n, 64)];
        buffer = chars;
      }
      s.getChars(0, n, chars, 0);
      int any = 0;
      for (int i = 0; i < n; i++) {
        any |= chars[i];
      }
      if (any < 0x80) {
        return n;
      }
    }
    return scan(s, isKey);
  }

  private static long scan(String s, boolean isKey) {
    int n = s.length();
    long extra = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        extra += 1;
      } else if (!Character.isSurrogate(c)) {
        extra += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        extra += 2; // four bytes for two chars
        i++;
      } else {
        Invalid e =
            new Invalid(
                (isKey ? "key" : "string")
                    + " has an unpaired surrogate U+"
                    + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
                    + " at index "
                    + i
                    + " (not well-formed UTF-16)");
        throw isKey ? e.at(s) : e;
      }
    }
    return n + extra;
  }

  /** UTF-8 length of a string already checked. */
  static long utf8Length(String s) {
    return scan(s, false);
  }

  /** Encoded size of a value already normalised. */
  static long encodedSize(@Nullable Object value) {
    if (value == null || value instanceof Boolean) {
      return 1;
    }
    if (value instanceof String) {
      return utf8Length((String) value) + 2;
    }
    if (value instanceof AttributeMap) {
      return ((AttributeMap) value).encodedSize;
    }
    if (value instanceof AttributeList) {
      return ((AttributeList) value).encodedSize;
    }
    return 8;
  }

  /** Nesting height of a value already normalised: 0 for scalars. */
  static int height(@Nullable Object value) {
    if (value instanceof AttributeMap) {
      return ((AttributeMap) value).height;
    }
    if (value instanceof AttributeList) {
      return ((AttributeList) value).height;
    }
    return 0;
  }

  /**
   * A refused value, on its way out: each enclosing container adds its key or index, and the top
   * level turns it into an {@link InvalidSessionDataException}. Carries no stack trace.
   */
  static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    /** Path segments, innermost first: a String key or an Integer index. */
    private final transient List<Object> segments = new ArrayList<>(4);

    Invalid(String reason) {
      super(reason, null, false, false);
      this.reason = reason;
    }

    Invalid at(String key) {
      segments.add(key);
      return this;
    }

    Invalid at(int index) {
      segments.add(index);
      return this;
    }

    InvalidSessionDataException toException() {
      if (segments.isEmpty()) {
        return new InvalidSessionDataException("<null key>", reason);
      }
      StringBuilder path = new StringBuilder();
      for (int i = segments.size() - 1; i >= 0; i--) {
        Object segment = segments.get(i);
        if (segment instanceof Integer) {
          path.append('[').append(segment).append(']');
        } else {
          appendKey(path, (String) segment, i == segments.size() - 1);
        }
      }
      return new InvalidSessionDataException(path.toString(), reason);
    }

    private static void appendKey(StringBuilder out, String key, boolean root) {
      if (root && isPlain(key)) {
        out.append(key);
        return;
      }
      out.append("[\"");
      for (int i = 0; i < key.length(); i++) {
        char c = key.charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20 || Character.isSurrogate(c)) {
          out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append("\"]");
    }

    private static boolean isPlain(String key) {
      if (key.isEmpty()) {
        return false;
      }
      for (int i = 0; i < key.length(); i++) {
        char c = key.charAt(i);
        if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
          return false;
        }
      }
      return true;
    }
  }
}
