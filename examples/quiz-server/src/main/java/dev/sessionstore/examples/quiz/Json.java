package dev.sessionstore.examples.quiz;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo's JSON, on Jackson: objects read as ordered maps of {@code Long}, {@code Double}, {@code
 * String}, {@code Boolean}, lists and maps (the value tree a session holds), and written with
 * {@code Instant}s as ISO-8601 strings. Thread-safe.
 */
final class Json {

  /** As deep as a session's values may nest (R6.1); deeper request bodies are refused. */
  static final int MAX_DEPTH = 32;

  private static final JsonMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                  .build())
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT =
      new TypeReference<>() {};

  private Json() {}

  /**
   * Parses one JSON object.
   *
   * @param text the JSON text
   * @return the object as an ordered map
   * @throws IllegalArgumentException if the text is not one well-formed JSON object
   */
  static Map<String, Object> parseObject(String text) {
    return parseObject(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Parses one JSON object from UTF-8 bytes.
   *
   * @param utf8 the JSON text
   * @return the object as an ordered map
   * @throws IllegalArgumentException if the bytes are not one well-formed JSON object
   */
  static Map<String, Object> parseObject(byte[] utf8) {
    try {
      Map<String, Object> map = MAPPER.readValue(utf8, OBJECT);
      if (map == null) {
        throw new IllegalArgumentException("malformed JSON: expected an object, found null");
      }
      return map;
    } catch (JacksonException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Writes a value tree as JSON.
   *
   * @param value maps, lists, strings, numbers, booleans, {@code Instant}s or null
   * @return the JSON text
   */
  static String write(Object value) {
    return MAPPER.writeValueAsString(value);
  }

  /**
   * Writes a value tree as UTF-8 JSON.
   *
   * @param value maps, lists, strings, numbers, booleans, {@code Instant}s or null
   * @return the JSON bytes
   */
  static byte[] writeBytes(Object value) {
    return MAPPER.writeValueAsBytes(value);
  }
}
