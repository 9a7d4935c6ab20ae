package dev.sessionstore.spring;

/**
 * Turns a session attribute that is not a JSON-like value of the store's data model (SPEC R6) into
 * one, and back.
 *
 * <p>The repositories store {@code null}, {@link Boolean}, {@link Long}, {@link Double}, {@link
 * String}, {@link java.time.Instant} and lists and string-keyed maps of these as they are; every
 * other value (for example Spring Security's {@code SecurityContext}, or an {@link Integer}, which
 * the store would widen to {@link Long}) goes through the codec, so that it reads back as the type
 * it was written as. The shipped codecs are {@link JacksonAttributeCodec} and {@link #refusing()};
 * Java serialization is deliberately not offered (deserialization gadgets).
 *
 * <p>Implementations are thread-safe.
 */
public interface AttributeCodec {

  /**
   * Encodes a value.
   *
   * @param name the attribute name, for error messages
   * @param value the value, never {@code null}
   * @return a value of the store's data model: a {@code String}, {@code Long}, {@code Double},
   *     {@code Boolean}, {@code Instant}, or lists and string-keyed maps of these
   * @throws IllegalArgumentException naming the attribute if the value cannot be encoded
   */
  Object encode(String name, Object value);

  /**
   * Decodes what {@link #encode(String, Object)} returned.
   *
   * @param name the attribute name, for error messages
   * @param encoded the encoded value as the store returned it
   * @return the value
   * @throws IllegalArgumentException naming the attribute if the value cannot be decoded
   */
  Object decode(String name, Object encoded);

  /**
   * Returns a codec that refuses every value outside the store's data model, with an error naming
   * the attribute and its type.
   *
   * @return the refusing codec
   */
  static AttributeCodec refusing() {
    return RefusingCodec.INSTANCE;
  }
}
