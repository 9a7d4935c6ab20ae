package dev.sessionstore.spring.boot;

/** {@link ServletSessionTest} on {@code memory:}. */
class MemoryServletSessionTest extends ServletSessionTest {
  @Override
  String storeUri() {
    return "memory:";
  }
}
