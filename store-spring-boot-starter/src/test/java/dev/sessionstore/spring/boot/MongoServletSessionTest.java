package dev.sessionstore.spring.boot;

/** {@link ServletSessionTest} on the embedded MongoDB. */
class MongoServletSessionTest extends ServletSessionTest {
  @Override
  String storeUri() {
    return EmbeddedMongo.freshUri();
  }
}
