package dev.sessionstore.mongodb;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded test server ({@code mongo-java-server} with its in-memory backend) behind a {@link
 * TcpProxy}, shared by the tests of one JVM; every test uses its own collection.
 *
 * <p>The backend survives {@link #restartServer()}, as a real mongod's disk would: only the server
 * (its listener and connections) goes away and comes back.
 */
final class EmbeddedMongo {

  private static EmbeddedMongo shared;

  private final MemoryBackend backend =
      new MemoryBackend() {
        @Override
        public void close() {
          // keep the data across a restart of the server
        }
      };
  private final AtomicInteger collections = new AtomicInteger();
  private final TcpProxy proxy;
  private MongoServer server;

  private EmbeddedMongo() {
    server = new MongoServer(backend);
    InetSocketAddress address = server.bind();
    try {
      proxy = new TcpProxy(address);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  proxy.close();
                  server.shutdownNow();
                }));
  }

  static synchronized EmbeddedMongo get() {
    if (shared == null) {
      shared = new EmbeddedMongo();
    }
    return shared;
  }

  TcpProxy proxy() {
    return proxy;
  }

  /** A URI through the proxy to database {@code db}, with a fresh collection, and extra params. */
  String freshUri(String extra) {
    return "mongodb://127.0.0.1:"
        + proxy.port()
        + "/sessionstore?collection="
        + freshCollection()
        + (extra.isEmpty() ? "" : "&" + extra);
  }

  String uri() {
    return "mongodb://127.0.0.1:" + proxy.port() + "/sessionstore";
  }

  String freshCollection() {
    return "sessions_" + collections.incrementAndGet();
  }

  /** Stops the server (every connection drops) and starts it again on a new port, same data. */
  synchronized void restartServer() {
    server.shutdownNow();
    server = new MongoServer(backend);
    proxy.retarget(server.bind());
    proxy.dropAll();
  }

  /** Stops the server; {@link #startServer()} brings it back with the same data. */
  synchronized void stopServer() {
    server.shutdownNow();
    proxy.dropAll();
  }

  synchronized void startServer() {
    server = new MongoServer(backend);
    proxy.retarget(server.bind());
  }
}
