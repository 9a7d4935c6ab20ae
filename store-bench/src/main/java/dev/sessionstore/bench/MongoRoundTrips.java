package dev.sessionstore.bench;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Counts the round trips each MongoDB-store operation makes when nothing contends with it, on the
 * server side of an embedded mongo-java-server (see {@link EmbeddedMongo}), and names the commands
 * with the keys of their filters (the embedded server uses an index only for a filter whose keys
 * equal an index's keys). Prints a summary and writes {@code key=value} lines for {@link Report}.
 */
public final class MongoRoundTrips {

  private MongoRoundTrips() {}

  /**
   * Runs the count.
   *
   * @param args optional: an output properties file
   * @throws Exception if the output cannot be written
   */
  public static void main(String[] args) throws Exception {
    Results out = new Results(args.length > 0 ? args[0] : null);
    try (EmbeddedMongo mongo = new EmbeddedMongo();
        SessionStore store = SessionStores.open(MongoStoreBenchmark.storeOptions(mongo))) {
      // Warm up: index creation and the first connection happen here, not in a counted operation.
      Session a = store.create(SessionDraft.of(Payloads.small(1))).block();
      store.get(a.id()).block();
      Session b = store.create(SessionDraft.of(Payloads.small(2))).block();
      System.out.printf(
          Locale.ROOT, "%n== MongoDB store round trips per operation (uncontended) ==%n");
      count(mongo, out, "create", () -> store.create(SessionDraft.of(Payloads.small(3))).block());
      count(mongo, out, "get", () -> store.get(a.id()).block());
      count(mongo, out, "touch", () -> store.touch(a.id()).block());
      Session current = store.get(a.id()).block();
      count(mongo, out, "save", () -> store.save(current).block());
      Session latest = store.get(a.id()).block();
      count(mongo, out, "saveIfUnchanged", () -> store.saveIfUnchanged(latest).block());
      count(mongo, out, "update", () -> store.update(a.id(), MemoryStoreBenchmark.CHANGE).block());
      count(mongo, out, "regenerate", () -> store.regenerate(b.id()).block());
      count(mongo, out, "destroy", () -> store.destroy(a.id()).block());
      count(mongo, out, "count", () -> store.count().block());
    }
    out.write();
  }

  private static void count(EmbeddedMongo mongo, Results out, String op, Supplier<?> action) {
    mongo.startRecording();
    Object result = action.get();
    List<String> commands = mongo.stopRecording();
    if (result == null) {
      throw new IllegalStateException(op + " completed empty; the round-trip count would be wrong");
    }
    System.out.printf(Locale.ROOT, "%-16s %d  %s%n", op, commands.size(), commands);
    out.put(op + ".count", String.valueOf(commands.size()));
    out.put(op + ".commands", String.join("; ", commands));
  }
}
