package dev.sessionstore;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The attributes of a session: an immutable, insertion-ordered map from {@code String} keys to
 * values of a JSON-like tree.
 *
 * <p>Allowed values are {@code null}, {@link Boolean}, {@link Long}, {@link Double}, {@link
 * String}, {@link Instant}, {@link List} and {@code Map<String, ?>} of these, nested at most
 * {@value #MAX_DEPTH} containers deep. Values are normalised on the way in so that every store
 * returns the same thing: {@link Integer}, {@link Short} and {@link Byte} become {@link Long};
 * {@link Float} becomes {@link Double}; an {@link Instant} is truncated to milliseconds; lists and
 * maps are copied into unmodifiable ones (maps keep their iteration order). Anything else is
 * rejected with an {@link InvalidSessionDataException} that names the attribute path, before
 * anything is written; so is every string, key or value, that is not well-formed UTF-16 (an
 * unpaired surrogate).
 *
 * <p>Normalising is one pass that checks and copies together. Lists and maps that came out of a
 * {@code SessionData} (its {@link #asMap()}, or any list or map value read from it) are already
 * normalised and are taken as they are, without a copy; so is a {@code SessionData} given as a
 * value, which is stored as its map.
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

  private static final SessionData EMPTY = new SessionData(AttributeMap.EMPTY);

  private final AttributeMap values;
  private int hash;

  private SessionData(AttributeMap values) {
    this.values = values;
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
   * Validates and normalises a map of attributes. A map that came out of a {@code SessionData} is
   * taken without a copy.
   *
   * @param attributes the attributes; keys must not be null
   * @return the normalised data
   * @throws InvalidSessionDataException if a key is null, a value is not allowed or a string is not
   *     well-formed UTF-16; the message names the attribute path
   */
  public static SessionData of(Map<String, ?> attributes) {
    Objects.requireNonNull(attributes, "attributes");
    if (attributes.isEmpty()) {
      return EMPTY;
    }
    if (attributes instanceof AttributeMap) {
      return new SessionData((AttributeMap) attributes);
    }
    try {
      return new SessionData(new DataNormaliser().map(attributes, 0));
    } catch (DataNormaliser.Invalid e) {
      throw e.toException();
    }
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
    try {
      return new DataNormaliser().value(value, 0);
    } catch (DataNormaliser.Invalid e) {
      throw e.at(name).toException();
    }
  }

  /** The attributes, for the normaliser. */
  AttributeMap attributes() {
    return values;
  }

  /**
   * Returns the value of an attribute.
   *
   * @param name the attribute name
   * @return the value, or {@code null} if the attribute is absent or holds {@code null} (tell the
   *     two apart with {@link #containsKey(String)})
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
   * Returns the attributes as an unmodifiable map in insertion order. Passing it back to {@link
   * #of(Map)}, or putting it into other data, costs no copy.
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
   * @throws InvalidSessionDataException if the name or the value is not allowed
   */
  public SessionData with(String name, @Nullable Object value) {
    Objects.requireNonNull(name, "name");
    DataNormaliser normaliser = new DataNormaliser();
    try {
      long keyBytes = DataNormaliser.keyBytes(name);
      Object normalised;
      try {
        normalised = normaliser.value(value, 0);
      } catch (DataNormaliser.Invalid e) {
        throw e.at(name);
      }
      return new SessionData(
          values.with(name, keyBytes, normalised, normaliser.height, normaliser.bytes));
    } catch (DataNormaliser.Invalid e) {
      throw e.toException();
    }
  }

  /**
   * Returns data without one attribute.
   *
   * @param name the attribute name
   * @return the new data, or this if the attribute was absent
   */
  public SessionData without(String name) {
    int at = values.indexOf(name);
    if (at < 0) {
      return this;
    }
    return values.size() == 1 ? EMPTY : new SessionData(values.without(at));
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
   * Returns the size in bytes of a compact JSON-like encoding of the attributes (UTF-8 strings,
   * eight bytes per number or instant). Stores without an encoding of their own use it to enforce
   * their size limit. Computed while the data was normalised: calling it costs nothing.
   *
   * @return the estimated encoded size in bytes
   */
  public long estimatedSize() {
    return values.encodedSize;
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
}
