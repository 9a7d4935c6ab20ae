package dev.sessionstore.bench;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An in-process mongo-java-server with its in-memory backend, bound to a free loopback port, that
 * counts the commands it serves. Counting on the server side sees every round trip of any client
 * (the store's own client included) without hooking into the store.
 *
 * <p>Thread-safe: the server's I/O threads record, any thread reads.
 */
final class EmbeddedMongo implements AutoCloseable {

  /** Driver housekeeping that is not a round trip of a store operation. */
  private static final Set<String> HOUSEKEEPING =
      Set.of(
          "hello",
          "ismaster",
          "ping",
          "buildinfo",
          "getlasterror",
          "endsessions",
          "getparameter",
          "getfreemonitoringstatus",
          "getcmdlineopts",
          "saslstart",
          "saslcontinue");

  private final MongoServer server;
  private final CountingBackend backend;
  private final String connectionString;

  EmbeddedMongo() {
    backend = new CountingBackend();
    server = new MongoServer(backend);
    InetSocketAddress address = server.bind();
    connectionString = "mongodb://" + address.getHostString() + ":" + address.getPort();
  }

  /**
   * @return {@code mongodb://host:port} of the server, without a database
   */
  String connectionString() {
    return connectionString;
  }

  /** Starts recording commands (and forgets earlier ones). */
  void startRecording() {
    synchronized (backend.recorded) {
      backend.recorded.clear();
      backend.recording = true;
    }
  }

  /**
   * Stops recording.
   *
   * @return the commands served since {@link #startRecording()}, in order, housekeeping excluded
   */
  List<String> stopRecording() {
    synchronized (backend.recorded) {
      backend.recording = false;
      return new ArrayList<>(backend.recorded);
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private static final class CountingBackend extends MemoryBackend {
    final List<String> recorded = new ArrayList<>();
    volatile boolean recording;

    @Override
    public Document handleMessage(MongoMessage message) {
      Document query = message.getDocument();
      String command = query.keySet().iterator().next();
      if (recording && !HOUSEKEEPING.contains(command.toLowerCase(Locale.ROOT))) {
        synchronized (recorded) {
          if (recording) {
            recorded.add(describe(command, query));
          }
        }
      }
      return super.handleMessage(message);
    }

    /**
     * Names the command and the keys of its filter, which decide whether the server uses an index.
     */
    private static String describe(String command, Document query) {
      StringBuilder out = new StringBuilder(command);
      Object filter = query.get("filter");
      if (filter == null) {
        filter = query.get("query");
      }
      if (filter == null
          && query.get("updates") instanceof List<?> updates
          && !updates.isEmpty()
          && updates.get(0) instanceof Document first) {
        filter = first.get("q");
        Object u = first.get("u");
        if (u instanceof Document update) {
          out.append(" u-keys=").append(update.keySet());
        }
        if (Boolean.TRUE.equals(first.get("upsert"))) {
          out.append(" upsert");
        }
      }
      if (filter == null
          && query.get("deletes") instanceof List<?> deletes
          && !deletes.isEmpty()
          && deletes.get(0) instanceof Document first) {
        filter = first.get("q");
      }
      if (filter instanceof Document f) {
        out.append(" filter-keys=").append(f.keySet());
      }
      if (query.get("update") instanceof Document update
          && "findAndModify".equalsIgnoreCase(command)) {
        out.append(" update-keys=").append(update.keySet());
      }
      return out.toString();
    }
  }
}
