/**
 * The session-store contract: {@link dev.sessionstore.SessionStore} and its values, and discovery
 * of store providers with {@link java.util.ServiceLoader}.
 */
module dev.sessionstore.api {
  requires transitive reactor.core;
  requires transitive org.reactivestreams;
  requires static org.jspecify;

  exports dev.sessionstore;
  exports dev.sessionstore.spi;

  uses dev.sessionstore.spi.SessionStoreProvider;
}
