/**
 * A persistent {@link dev.sessionstore.SessionStore} on MongoDB, built on the reactive streams
 * driver: {@link dev.sessionstore.mongodb.MongoSessionStore} and its provider for {@code
 * mongodb://} and {@code mongodb+srv://} store URIs.
 */
module dev.sessionstore.mongodb {
  requires transitive dev.sessionstore.api;
  requires transitive org.mongodb.driver.reactivestreams;
  requires org.mongodb.driver.core;
  requires org.mongodb.bson;
  requires static org.jspecify;

  exports dev.sessionstore.mongodb;

  provides dev.sessionstore.spi.SessionStoreProvider with
      dev.sessionstore.mongodb.MongoSessionStoreProvider;
}
