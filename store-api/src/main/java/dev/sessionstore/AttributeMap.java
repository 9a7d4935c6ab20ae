package dev.sessionstore;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, insertion-ordered {@code String -> value} map whose values are already normalised
 * (see {@link SessionData}): the attributes of a {@link SessionData} and every map nested in them.
 *
 * <p>Two parallel arrays hold the entries in order; maps of more than {@value #LINEAR_LIMIT}
 * entries add an open-addressing index into them. It records its nesting height and its {@linkplain
 * SessionData#estimatedSize() encoded size}, computed while it was built, so that putting it into
 * other data costs neither a copy nor a second walk. Every mutator throws {@link
 * UnsupportedOperationException}. Immutable and thread-safe.
 */
final class AttributeMap extends AbstractMap<String, @Nullable Object> {

  /** Up to this many entries a lookup scans the keys; above it uses the hash index. */
  static final int LINEAR_LIMIT = 8;

  static final AttributeMap EMPTY = new AttributeMap(new String[0], new Object[0], 0, 1, 2);

  private final String[] keys;
  private final @Nullable Object[] values;

  /**
   * Slot to entry index + 1 (0: empty); built on the first lookup by key of a map of more than
   * {@value #LINEAR_LIMIT} entries (most nested maps are only ever iterated). Volatile so that a
   * lookup never sees the array before its contents.
   */
  private volatile int @Nullable [] index;

  private final int size;

  /** 1 + the height of the highest container among the values. */
  final int height;

  /** The encoded size in bytes, as {@link SessionData#estimatedSize()} defines it. */
  final long encodedSize;

  /**
   * Takes the arrays (not copied: the caller hands them over); only the first {@code size} entries
   * count.
   */
  AttributeMap(String[] keys, @Nullable Object[] values, int size, int height, long encodedSize) {
    this.keys = keys;
    this.values = values;
    this.size = size;
    this.height = height;
    this.encodedSize = encodedSize;
  }

  private static int[] buildIndex(String[] keys, int size) {
    int[] table = new int[Integer.highestOneBit(size + (size >> 1)) << 1]; // at most 2/3 full
    int mask = table.length - 1;
    for (int i = 0; i < size; i++) {
      int slot = spread(keys[i].hashCode()) & mask;
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = i + 1;
    }
    return table;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /**
   * @return the position of the key, or -1
   */
  int indexOf(@Nullable Object key) {
    if (!(key instanceof String)) {
      return -1;
    }
    if (size <= LINEAR_LIMIT) {
      for (int i = 0; i < size; i++) {
        if (key.equals(keys[i])) {
          return i;
        }
      }
      return -1;
    }
    int[] table = index;
    if (table == null) {
      table = buildIndex(keys, size); // racing threads build equal tables; any one will do
      index = table;
    }
    int mask = table.length - 1;
    int slot = spread(key.hashCode()) & mask;
    for (int at; (at = table[slot]) != 0; slot = (slot + 1) & mask) {
      if (key.equals(keys[at - 1])) {
        return at - 1;
      }
    }
    return -1;
  }

  String keyAt(int i) {
    return keys[i];
  }

  @Nullable Object valueAt(int i) {
    return values[i];
  }

  /**
   * Returns a map with one entry set (replaced in place, or appended).
   *
   * @param key the key, already checked
   * @param keyBytes its encoded length
   * @param value the normalised value
   * @param valueHeight the value's nesting height
   * @param valueBytes the value's encoded size
   */
  AttributeMap with(
      String key, long keyBytes, @Nullable Object value, int valueHeight, long valueBytes) {
    int at = indexOf(key);
    if (at >= 0) {
      Object[] newValues = Arrays.copyOf(values, size, Object[].class);
      newValues[at] = value;
      long bytes = encodedSize - DataNormaliser.encodedSize(values[at]) + valueBytes;
      return new AttributeMap(keys, newValues, size, heightWith(at, valueHeight), bytes);
    }
    String[] newKeys = Arrays.copyOf(keys, size + 1);
    Object[] newValues = Arrays.copyOf(values, size + 1, Object[].class);
    newKeys[size] = key;
    newValues[size] = value;
    return new AttributeMap(
        newKeys,
        newValues,
        size + 1,
        Math.max(height, valueHeight + 1),
        encodedSize + keyBytes + 3 + valueBytes);
  }

  /**
   * @return a map without the entry at position {@code at}
   */
  AttributeMap without(int at) {
    String[] newKeys = new String[size - 1];
    Object[] newValues = new Object[size - 1];
    System.arraycopy(keys, 0, newKeys, 0, at);
    System.arraycopy(keys, at + 1, newKeys, at, size - at - 1);
    System.arraycopy(values, 0, newValues, 0, at);
    System.arraycopy(values, at + 1, newValues, at, size - at - 1);
    long bytes =
        encodedSize
            - DataNormaliser.utf8Length(keys[at])
            - 3
            - DataNormaliser.encodedSize(values[at]);
    return new AttributeMap(newKeys, newValues, size - 1, heightWith(at, 0), bytes);
  }

  /**
   * @return the height with the value at {@code at} replaced by one of height {@code valueHeight}
   */
  private int heightWith(int at, int valueHeight) {
    int h = valueHeight + 1;
    for (int i = 0; i < size; i++) {
      if (i != at) {
        h = Math.max(h, DataNormaliser.height(values[i]) + 1);
      }
    }
    return h;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public @Nullable Object get(@Nullable Object key) {
    int at = indexOf(key);
    return at < 0 ? null : values[at];
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
    for (int i = 0; i < size; i++) {
      action.accept(keys[i], values[i]);
    }
  }

  @Override
  public Set<Entry<String, @Nullable Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, @Nullable Object>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Entry<String, @Nullable Object> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(keys[i], values[i]);
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Map) || ((Map<?, ?>) o).size() != size) {
      return false;
    }
    Map<?, ?> other = (Map<?, ?>) o;
    for (int i = 0; i < size; i++) {
      Object value = values[i];
      Object theirs = other.get(keys[i]);
      if (value == null ? theirs != null || !other.containsKey(keys[i]) : !value.equals(theirs)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0; i < size; i++) {
      h += keys[i].hashCode() ^ Objects.hashCode(values[i]);
    }
    return h;
  }
}
