package dev.sessionstore;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The attributes of a session: an immutable, insertion-ordered map from {@code String} keys to values
 * of a JSON-like tree.
 *
 * <p>Allowed values are {@code null}, {@link Boolean}, {@link Long}, {@link Double}, {@link String},
 * {@link Instant}, {@link List} and {@code Map<String, ?>} of these, nested at most {@value
 * #MAX_DEPTH} containers deep. Values are normalised on the way in so that every store returns the same
 * thing: {@link Integer}, {@link Short} and {@link Byte} become {@link Long}; {@link Float} becomes
 * {@link Double}; an {@link Instant} is truncated to milliseconds; lists and maps are copied into
 * unmodifiable ones (maps keep their iteration order). Anything else is rejected with an {@link
 * InvalidSessionDataException} that names the attribute path, before anything is written.
 *
 * <p>Any {@code String} is a valid key, including the empty string and keys containing {@code .},
 * {@code $} or {@code \0}; stores must round-trip them exactly.
 *
 * <p>Instances are immutable and thread-safe; {@link #with(String, Object)} and {@link
 * #without(String)} return new instances.
 */
public final class SessionData {

  /** The deepest nesting of lists and maps an attribute value may have. */
  public static final int MAX_DEPTH = 32;

  private static final SessionData EMPTY = new SessionData(Collections.emptyMap());

  private final Map<String, @Nullable Object> values;
  private int hash;
  private volatile long estimatedSize = -1;

  private SessionData(Map<String, @Nullable Object> normalisedUnmodifiable) {
    this.values = normalisedUnmodifiable;
  }

  /**
   * Returns data with no attributes.
   *
   * @return the empty data
   */
  public static SessionData empty() {
    return EMPTY;
  }

  /**
   * Validates and normalises a map of attributes.
   *
   * @param attributes the attributes; keys must not be null
   * @return the normalised data
   * @throws InvalidSessionDataException if a key is null or a value is not allowed; the message names
   *     the attribute path
   */
  public static SessionData of(Map<String, ?> attributes) {
    Objects.requireNonNull(attributes, "attributes");
    if (attributes.isEmpty()) {
      return EMPTY;
    }
    if (attributes instanceof NormalisedMap) {
      return new SessionData(castNormalised(attributes));
    }
    Map<String, @Nullable Object> copy = new LinkedHashMap<>(capacity(attributes.size()));
    for (Map.Entry<String, ?> entry : attributes.entrySet()) {
      String key = entry.getKey();
      if (key == null) {
        throw new InvalidSessionDataException("<null key>", "attribute names must not be null");
      }
      copy.put(key, normalise(entry.getValue(), Path.root(key), 0));
    }
    return new SessionData(Collections.unmodifiableMap(copy));
  }

  /**
   * Validates and normalises one attribute value as {@link #of(Map)} does.
   *
   * @param name the attribute name, used in error messages
   * @param value the value
   * @return the normalised value
   * @throws InvalidSessionDataException if the value is not allowed
   */
  public static @Nullable Object normaliseValue(String name, @Nullable Object value) {
    Objects.requireNonNull(name, "name");
    return normalise(value, Path.root(name), 0);
  }

  /**
   * Returns the value of an attribute.
   *
   * @param name the attribute name
   * @return the value, or {@code null} if the attribute is absent or holds {@code null} (tell the two
   *     apart with {@link #containsKey(String)})
   */
  public @Nullable Object get(String name) {
    return values.get(name);
  }

  /**
   * Returns the value of an attribute if it has the given type.
   *
   * @param <T> the expected type
   * @param name the attribute name
   * @param type the expected type, for example {@code Long.class}
   * @return the value, or {@code null} if absent or null
   * @throws ClassCastException if the value has another type
   */
  public <T> @Nullable T get(String name, Class<T> type) {
    return type.cast(values.get(name));
  }

  /**
   * Tells whether an attribute is present (possibly holding {@code null}).
   *
   * @param name the attribute name
   * @return whether it is present
   */
  public boolean containsKey(String name) {
    return values.containsKey(name);
  }

  /**
   * Returns the attributes as an unmodifiable map in insertion order.
   *
   * @return the attributes
   */
  public Map<String, @Nullable Object> asMap() {
    return values;
  }

  /**
   * Returns the attribute names in insertion order.
   *
   * @return the names
   */
  public Set<String> keys() {
    return values.keySet();
  }

  /**
   * Returns data with one attribute set; an existing attribute keeps its position.
   *
   * @param name the attribute name
   * @param value the value, normalised as in {@link #of(Map)}
   * @return the new data
   * @throws InvalidSessionDataException if the value is not allowed
   */
  public SessionData with(String name, @Nullable Object value) {
    Objects.requireNonNull(name, "name");
    Object normalised = normalise(value, Path.root(name), 0);
    Map<String, @Nullable Object> copy = new LinkedHashMap<>(capacity(values.size() + 1));
    copy.putAll(values);
    copy.put(name, normalised);
    return new SessionData(Collections.unmodifiableMap(copy));
  }

  /**
   * Returns data without one attribute.
   *
   * @param name the attribute name
   * @return the new data, or this if the attribute was absent
   */
  public SessionData without(String name) {
    if (!values.containsKey(name)) {
      return this;
    }
    if (values.size() == 1) {
      return EMPTY;
    }
    Map<String, @Nullable Object> copy = new LinkedHashMap<>(values);
    copy.remove(name);
    return new SessionData(Collections.unmodifiableMap(copy));
  }

  /**
   * Returns the number of attributes.
   *
   * @return the number of attributes
   */
  public int size() {
    return values.size();
  }

  /**
   * Tells whether there are no attributes.
   *
   * @return whether there are no attributes
   */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * Returns the size in bytes of a compact JSON-like encoding of the attributes (UTF-8 strings, eight
   * bytes per number or instant). Stores without an encoding of their own use it to enforce their size
   * limit.
   *
   * @return the estimated encoded size in bytes
   */
  public long estimatedSize() {
    long size = estimatedSize;
    if (size < 0) {
      size = computeEstimatedSize();
      estimatedSize = size; // computed at most a few times under a race, always the same value
    }
    return size;
  }

  private long computeEstimatedSize() {
    long size = 2;
    for (Map.Entry<String, @Nullable Object> entry : values.entrySet()) {
      size += utf8Length(entry.getKey()) + 3 + estimatedSize(entry.getValue());
    }
    return size;
  }

  private static long estimatedSize(@Nullable Object value) {
    if (value == null || value instanceof Boolean) {
      return 1;
    }
    if (value instanceof Long || value instanceof Double || value instanceof Instant) {
      return 8;
    }
    if (value instanceof String) {
      return utf8Length((String) value) + 2L;
    }
    long size = 2;
    if (value instanceof List) {
      for (Object element : (List<?>) value) {
        size += 1 + estimatedSize(element);
      }
      return size;
    }
    for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
      size += utf8Length((String) entry.getKey()) + 3 + estimatedSize(entry.getValue());
    }
    return size;
  }

  private static long utf8Length(String s) {
    long length = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        length += 1;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        length += 4;
        i++;
      } else {
        length += 3;
      }
    }
    return length;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o == this || (o instanceof SessionData && values.equals(((SessionData) o).values));
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = values.hashCode();
      hash = h;
    }
    return h;
  }

  /** Lists attribute names only: values may be sensitive. */
  @Override
  public String toString() {
    return "SessionData" + values.keySet();
  }

  private static @Nullable Object normalise(@Nullable Object value, Path path, int depth) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Long
        || value instanceof Double) {
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
    if (value instanceof List || value instanceof Map) {
      int height = height(value);
      if (depth + Math.max(height, 1) > MAX_DEPTH) {
        throw new InvalidSessionDataException(
            path.toString(), "nested deeper than " + MAX_DEPTH + " lists and maps");
      }
      if (height > 0) {
        return value; // already normalised, and shallow enough here
      }
      if (value instanceof List) {
        List<?> list = (List<?>) value;
        List<@Nullable Object> copy = new ArrayList<>(list.size());
        int index = 0;
        int childHeight = 0;
        for (Object element : list) {
          Object normalised = normalise(element, path.index(index++), depth + 1);
          childHeight = Math.max(childHeight, height(normalised));
          copy.add(normalised);
        }
        return new NormalisedList(copy, childHeight + 1);
      }
      Map<?, ?> map = (Map<?, ?>) value;
      Map<String, @Nullable Object> copy = new LinkedHashMap<>(capacity(map.size()));
      int childHeight = 0;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        Object key = entry.getKey();
        if (!(key instanceof String)) {
          throw new InvalidSessionDataException(
              path.toString(),
              "map keys must be strings, found "
                  + (key == null ? "null" : key.getClass().getName()));
        }
        Object normalised = normalise(entry.getValue(), path.key((String) key), depth + 1);
        childHeight = Math.max(childHeight, height(normalised));
        copy.put((String) key, normalised);
      }
      return new NormalisedMap(copy, childHeight + 1);
    }
    throw new InvalidSessionDataException(
        path.toString(),
        "unsupported type "
            + value.getClass().getName()
            + " (allowed: null, Boolean, Long, Double, String, Instant, List, Map<String, ?>)");
  }

  /** Nesting height of an already normalised container; 0 for scalars and foreign containers. */
  private static int height(@Nullable Object value) {
    if (value instanceof NormalisedList) {
      return ((NormalisedList) value).height;
    }
    if (value instanceof NormalisedMap) {
      return ((NormalisedMap) value).height;
    }
    return 0;
  }

  private static int capacity(int size) {
    return (int) Math.ceil(size / 0.75) + 1;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, @Nullable Object> castNormalised(Map<String, ?> map) {
    return (Map<String, @Nullable Object>) map;
  }

  /** An attribute path such as {@code answers[3]["q.1"]}, built only when an error is reported. */
  private static final class Path {
    private final @Nullable Path parent;
    private final @Nullable String key;
    private final int index;

    private Path(@Nullable Path parent, @Nullable String key, int index) {
      this.parent = parent;
      this.key = key;
      this.index = index;
    }

    static Path root(String name) {
      return new Path(null, name, -1);
    }

    Path key(String name) {
      return new Path(this, name, -1);
    }

    Path index(int i) {
      return new Path(this, null, i);
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder();
      append(out);
      return out.toString();
    }

    private void append(StringBuilder out) {
      if (parent != null) {
        parent.append(out);
      }
      if (key == null) {
        out.append('[').append(index).append(']');
      } else if (parent == null && isPlain(key)) {
        out.append(key);
      } else {
        out.append("[\"");
        for (int i = 0; i < key.length(); i++) {
          char c = key.charAt(i);
          if (c == '"' || c == '\\') {
            out.append('\\').append(c);
          } else if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
        out.append("\"]");
      }
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

  /** An unmodifiable list already normalised, so that re-wrapping it costs nothing. */
  private static final class NormalisedList extends java.util.AbstractList<@Nullable Object>
      implements java.util.RandomAccess {
    private final List<@Nullable Object> elements;
    final int height;

    NormalisedList(List<@Nullable Object> elements, int height) {
      this.elements = elements;
      this.height = height;
    }

    @Override
    public @Nullable Object get(int index) {
      return elements.get(index);
    }

    @Override
    public int size() {
      return elements.size();
    }
  }

  /** An unmodifiable, ordered map already normalised. */
  private static final class NormalisedMap extends java.util.AbstractMap<String, @Nullable Object> {
    private final Map<String, @Nullable Object> entries;
    final int height;

    NormalisedMap(Map<String, @Nullable Object> entries, int height) {
      this.entries = entries;
      this.height = height;
    }

    @Override
    public Set<Entry<String, @Nullable Object>> entrySet() {
      return Collections.unmodifiableMap(entries).entrySet();
    }

    @Override
    public @Nullable Object get(@Nullable Object key) {
      return entries.get(key);
    }

    @Override
    public boolean containsKey(@Nullable Object key) {
      return entries.containsKey(key);
    }

    @Override
    public int size() {
      return entries.size();
    }
  }
}
