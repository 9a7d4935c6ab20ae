package dev.sessionstore.spring;

/** {@link RepositoryContractTest} on {@code memory:}. */
class MemoryRepositoryTest extends RepositoryContractTest {
  @Override
  String storeUri() {
    return "memory:";
  }
}
