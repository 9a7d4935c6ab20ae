package dev.sessionstore.spring.boot;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** The embedded MongoDB of these tests (mongo-java-server, in memory), one per JVM. */
final class EmbeddedMongo {

  private static InetSocketAddress address;
  private static final AtomicInteger collections = new AtomicInteger();

  private EmbeddedMongo() {}

  /** A store URI on the embedded server with a collection of its own. */
  static synchronized String freshUri() {
    if (address == null) {
      MongoServer server = new MongoServer(new MemoryBackend());
      address = server.bind();
      Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    }
    return "mongodb://127.0.0.1:"
        + address.getPort()
        + "/spring?collection=sessions"
        + collections.incrementAndGet();
  }
}
