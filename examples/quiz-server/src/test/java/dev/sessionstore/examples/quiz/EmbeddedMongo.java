package dev.sessionstore.examples.quiz;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/** An in-memory MongoDB-protocol server (mongo-java-server) for the demo's MongoDB tests. */
final class EmbeddedMongo implements AutoCloseable {

  private final MongoServer server;

  /** The store URI of a collection on this server. */
  final String uri;

  private EmbeddedMongo(MongoServer server, String uri) {
    this.server = server;
    this.uri = uri;
  }

  /**
   * Starts a server and checks that the MongoDB store opens on it; otherwise aborts the calling
   * tests, naming why.
   */
  static EmbeddedMongo startOrSkip(String collection) {
    MongoServer server = new MongoServer(new MemoryBackend());
    InetSocketAddress address = server.bind();
    String uri = "mongodb://127.0.0.1:" + address.getPort() + "/quiz?collection=" + collection;
    try (SessionStore store = SessionStores.open(uri)) {
      store.count().block(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      server.shutdownNow();
      Assumptions.abort("the MongoDB store does not open on the embedded server: " + e);
    }
    return new EmbeddedMongo(server, uri);
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
