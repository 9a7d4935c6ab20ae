package dev.sessionstore.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.bson.BsonDocument;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** Shared helpers of the module's own tests against the embedded server. */
final class MongoTesting {

  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static MongoClient direct;

  private MongoTesting() {}

  /** A client straight to the embedded server (not through the proxy) for inspecting documents. */
  static synchronized MongoClient direct() {
    if (direct == null) {
      direct = MongoClients.create(EmbeddedMongo.get().uri());
    }
    return direct;
  }

  static MongoCollection<BsonDocument> collection(String name) {
    return direct().getDatabase("sessionstore").getCollection(name, BsonDocument.class);
  }

  /** Options for a store on the given collection, with a test clock and a long cleanup interval. */
  static StoreOptions options(String collection, TestClock clock, String extra) {
    String timeout = extra.contains("timeout=") ? "" : "&timeout=3s";
    return StoreOptions.parse(
            EmbeddedMongo.get().uri()
                + "?collection="
                + collection
                + timeout
                + (extra.isEmpty() ? "" : "&" + extra))
        .with(StoreOptions.CLOCK, clock)
        .with(StoreOptions.CLEANUP_INTERVAL, Duration.ofDays(1));
  }

  /**
   * Makes a session's document undecodable, as a hand edit or another version of the store might:
   * its data becomes a string instead of a document.
   */
  static void corrupt(MongoSessionStore store, String id) {
    await(
        Mono.from(
            direct()
                .getDatabase("sessionstore")
                .getCollection(store.collectionName(), BsonDocument.class)
                .updateOne(
                    new BsonDocument("_id", new org.bson.BsonString(id)),
                    new BsonDocument(
                        "$set", new BsonDocument("d", new org.bson.BsonString("garbage"))))));
  }

  static <T> T await(Mono<T> mono) {
    return mono.block(Duration.ofSeconds(20));
  }

  /** Waits (polling) for an asynchronous condition such as event delivery. */
  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Records a store's events. */
  static final class Recorder implements AutoCloseable {
    final List<SessionEvent> events = new CopyOnWriteArrayList<>();
    private final Disposable subscription;

    Recorder(SessionStore store) {
      subscription = store.events().subscribe(events::add);
    }

    long count(SessionEvent.Type type) {
      return events.stream().filter(e -> e.type() == type).count();
    }

    List<SessionEvent> of(SessionEvent.Type type) {
      return events.stream().filter(e -> e.type() == type).toList();
    }

    @Override
    public void close() {
      subscription.dispose();
    }
  }

  static void assertNoEventsOf(Recorder recorder, SessionEvent.Type type) {
    assertThat(recorder.count(type)).as("%s events", type).isZero();
  }
}
