package dev.sessionstore.spring.boot;

/** {@link WebFluxSessionTest} on {@code memory:}. */
class MemoryWebFluxSessionTest extends WebFluxSessionTest {
  @Override
  String storeUri() {
    return "memory:";
  }
}
