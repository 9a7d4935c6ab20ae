package dev.sessionstore;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * An immutable list whose elements are already normalised (see {@link SessionData}): every list
 * held in session data. It records its nesting height and encoded size, computed while it was
 * built, so that putting it into other data costs neither a copy nor a second walk. Every mutator
 * throws {@link UnsupportedOperationException}. Immutable and thread-safe.
 */
final class AttributeList extends AbstractList<@Nullable Object> implements RandomAccess {

  private final @Nullable Object[] elements;

  /** 1 + the height of the highest container among the elements. */
  final int height;

  /** The encoded size in bytes, as {@link SessionData#estimatedSize()} defines it. */
  final long encodedSize;

  /** Takes the array (not copied: the caller hands it over). */
  AttributeList(@Nullable Object[] elements, int height, long encodedSize) {
    this.elements = elements;
    this.height = height;
    this.encodedSize = encodedSize;
  }

  @Override
  public @Nullable Object get(int index) {
    return elements[index];
  }

  @Override
  public int size() {
    return elements.length;
  }

  @Override
  public Object[] toArray() {
    return Arrays.copyOf(elements, elements.length, Object[].class);
  }
}
