package dev.sessionstore.spring.boot;

/** {@link WebFluxSessionTest} on the embedded MongoDB. */
class MongoWebFluxSessionTest extends WebFluxSessionTest {
  @Override
  String storeUri() {
    return EmbeddedMongo.freshUri();
  }
}
