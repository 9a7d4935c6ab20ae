package dev.sessionstore.spring;

/** {@link RepositoryContractTest} on the embedded MongoDB. */
class MongoRepositoryTest extends RepositoryContractTest {
  @Override
  String storeUri() {
    return mongoUri();
  }
}
