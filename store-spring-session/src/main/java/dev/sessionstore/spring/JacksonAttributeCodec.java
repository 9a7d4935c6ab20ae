package dev.sessionstore.spring;

import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@link AttributeCodec} that writes values as JSON text with a Jackson 3 {@link JsonMapper}.
 *
 * <p>{@link #withSpringSecurity(ClassLoader)} builds the mapper Spring Security documents for
 * session stores: its Jackson modules register mix-ins for its own types (security contexts,
 * authentication tokens, users, authorities, CSRF tokens, saved requests) and an allow-list of the
 * classes that may appear as type ids, so a login works out of the box and a stored document cannot
 * name an arbitrary class to instantiate. Add the application's own types to the allow-list with
 * {@link #of(JsonMapper)} and a mapper built from {@code SecurityJacksonModules.getModules(loader,
 * builder)}.
 *
 * <p>Thread-safe.
 */
public final class JacksonAttributeCodec implements AttributeCodec {

  private final JsonMapper mapper;

  private JacksonAttributeCodec(JsonMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * Returns a codec writing with the given mapper; it must record type information for the values
   * it writes (for example through default typing with an allow-list), since values are read back
   * as {@code Object}.
   *
   * @param mapper the mapper
   * @return the codec
   */
  public static JacksonAttributeCodec of(JsonMapper mapper) {
    return new JacksonAttributeCodec(mapper);
  }

  /**
   * Returns a codec on a mapper with Spring Security's Jackson modules and their allow-list of
   * types.
   *
   * @param classLoader the class loader the modules and the types are loaded with
   * @return the codec
   * @throws IllegalStateException if Spring Security's core jar is not on the class path
   */
  public static JacksonAttributeCodec withSpringSecurity(ClassLoader classLoader) {
    return new JacksonAttributeCodec(SecurityMapper.build(classLoader));
  }

  @Override
  public Object encode(String name, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "session attribute '"
              + name
              + "' ("
              + value.getClass().getName()
              + ") cannot be written as JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  @Override
  public Object decode(String name, Object encoded) {
    if (!(encoded instanceof String json)) {
      throw new IllegalArgumentException(
          "session attribute '"
              + name
              + "' was not written by JacksonAttributeCodec (expected JSON text, found "
              + encoded.getClass().getName()
              + ")");
    }
    try {
      return mapper.readValue(json, Object.class);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "session attribute '" + name + "' cannot be read from JSON: " + e.getOriginalMessage(),
          e);
    }
  }

  @Override
  public String toString() {
    return "JacksonAttributeCodec";
  }

  /** Kept apart so that the codec class loads without Spring Security on the class path. */
  private static final class SecurityMapper {
    static JsonMapper build(ClassLoader classLoader) {
      try {
        return JsonMapper.builder()
            .addModules(
                org.springframework.security.jackson.SecurityJacksonModules.getModules(classLoader))
            .build();
      } catch (NoClassDefFoundError e) {
        throw new IllegalStateException(
            "JacksonAttributeCodec.withSpringSecurity needs "
                + "org.springframework.security:spring-security-core on the class path",
            e);
      }
    }
  }
}
