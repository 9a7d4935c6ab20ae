package dev.sessionstore.spring;

/** The codec of applications that store only JSON-like values. */
enum RefusingCodec implements AttributeCodec {
  INSTANCE;

  @Override
  public Object encode(String name, Object value) {
    throw new IllegalArgumentException(
        "session attribute '"
            + name
            + "' holds a "
            + value.getClass().getName()
            + ", which is not a JSON-like value (null, Boolean, Long, Double, "
            + "String, Instant, List, Map<String, ?>) and no AttributeCodec is configured; add Jackson "
            + "(tools.jackson.core:jackson-databind) or set an AttributeCodec on the repository");
  }

  @Override
  public Object decode(String name, Object encoded) {
    throw new IllegalArgumentException(
        "session attribute '"
            + name
            + "' was written through an AttributeCodec, but none is configured to read it");
  }

  @Override
  public String toString() {
    return "AttributeCodec.refusing()";
  }
}
