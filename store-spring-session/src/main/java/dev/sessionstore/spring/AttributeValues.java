package dev.sessionstore.spring;

import dev.sessionstore.SessionData;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decides which attribute values are stored as they are and wraps the others in a one-entry map
 * {@value #ENCODED} → the codec's output.
 */
final class AttributeValues {

  /** The key of the one-entry map that holds a codec's output. */
  static final String ENCODED = "$sessionstore.encoded";

  private AttributeValues() {}

  /** Encodes a non-null value for the store. */
  static Object encode(String name, Object value, AttributeCodec codec) {
    if (isPlain(value, 0)) {
      return value;
    }
    return Map.of(ENCODED, codec.encode(name, value));
  }

  /** Decodes a value as the store returned it. */
  static @Nullable Object decode(String name, @Nullable Object stored, AttributeCodec codec) {
    if (stored instanceof Map<?, ?> map && map.size() == 1 && map.containsKey(ENCODED)) {
      Object encoded = map.get(ENCODED);
      if (encoded == null) {
        throw new IllegalArgumentException(
            "session attribute '" + name + "' holds an empty encoding");
      }
      return codec.decode(name, encoded);
    }
    return stored;
  }

  /**
   * True for a value the store keeps and returns unchanged (equal and of the same type): exactly
   * the canonical types of SPEC R6, instants at millisecond precision, and lists and string-keyed
   * maps of these, except a map that looks like an encoded value.
   */
  static boolean isPlain(@Nullable Object value, int depth) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Long
        || value instanceof Double) {
      return true;
    }
    if (value instanceof Instant instant) {
      return instant.getNano() % 1_000_000 == 0;
    }
    if (depth >= SessionData.MAX_DEPTH) {
      return false;
    }
    if (value instanceof List<?> list) {
      for (Object element : list) {
        if (!isPlain(element, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof Map<?, ?> map) {
      if (map.size() == 1 && map.containsKey(ENCODED)) {
        return false;
      }
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String) || !isPlain(entry.getValue(), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }
}
