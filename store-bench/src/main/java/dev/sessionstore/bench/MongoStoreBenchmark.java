package dev.sessionstore.bench;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Filters.not;

import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.mongodb.MongoSessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MongoDB store against an embedded mongo-java-server (in-memory backend, started once per
 * trial), next to the raw reactive driver doing the same number of round trips on a copy of the
 * store's collection: same documents, same indexes. Store operations are measured complete ({@code
 * .block()}).
 *
 * <p>The embedded server uses an index only when a filter's keys equal an index's keys exactly, so
 * a filter with more keys than {@code _id} scans the collection. The {@code driver_*_id} references
 * use {@code {_id}} filters; the {@code driver_*_sameShape} references send the same commands with
 * the same filter keys as the store (see {@link MongoRoundTrips} for what the store sends), so both
 * comparisons are in the report. Instantiated and driven by JMH only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class MongoStoreBenchmark {

  /** Sessions in the collection; the operations cycle over them. */
  static final int SESSIONS = 1_000;

  static final String DATABASE = "bench";

  /** The store's default idle limit, which the references write into the expiry field. */
  private static final long IDLE_MILLIS = Duration.ofMinutes(30).toMillis();

  EmbeddedMongo mongo;
  SessionStore store;
  SessionStore thresholdStore;
  String[] thresholdIds;
  MongoClient client;
  MongoCollection<Document> reference;
  String[] ids;
  Session[] sessions;
  Document[] documents;

  /**
   * Options that open the MongoDB store on the embedded server.
   *
   * @param mongo the server
   * @return the options
   */
  static StoreOptions storeOptions(EmbeddedMongo mongo) {
    return StoreOptions.parse(mongo.connectionString() + "/" + DATABASE)
        // No background cleanup in the middle of a measurement.
        .with(StoreOptions.CLEANUP_INTERVAL, Duration.ofHours(1));
  }

  /**
   * The collection the store writes to (the store's default collection name).
   *
   * @param client a client of the server
   * @return the store's collection
   */
  static MongoCollection<Document> sessionCollection(MongoClient client) {
    return client.getDatabase(DATABASE).getCollection(MongoSessionStore.COLLECTION.defaultValue());
  }

  /** Starts the server, fills the store, and copies its collection and indexes for the driver. */
  @Setup(Level.Trial)
  public void setUp() {
    mongo = new EmbeddedMongo();
    store = SessionStores.open(storeOptions(mongo));
    // A deployment that refreshes lastAccessedAt at most once a minute, in its own collection.
    thresholdStore =
        SessionStores.open(
            storeOptions(mongo)
                .withUri(mongo.connectionString() + "/" + DATABASE + "?collection=sessions_touch1m")
                .with(StoreOptions.TOUCH_THRESHOLD, Duration.ofMinutes(1)));
    ids = new String[SESSIONS];
    thresholdIds = new String[SESSIONS];
    sessions = new Session[SESSIONS];
    for (int i = 0; i < SESSIONS; i++) {
      Session s = store.create(SessionDraft.of(Payloads.small(i))).block();
      ids[i] = s.id();
      sessions[i] = s;
      thresholdIds[i] = thresholdStore.create(SessionDraft.of(Payloads.small(i))).block().id();
    }
    client = MongoClients.create(mongo.connectionString());
    MongoCollection<Document> source = sessionCollection(client);
    MongoDatabase db = client.getDatabase(DATABASE);
    List<Document> indexes = new ArrayList<>();
    for (Document index : Flux.from(source.listIndexes()).toIterable()) {
      if (!"_id_".equals(index.getString("name"))) {
        index.remove("v");
        index.remove("ns");
        indexes.add(index);
      }
    }
    if (!indexes.isEmpty()) {
      Mono.from(
              db.runCommand(new Document("createIndexes", "reference").append("indexes", indexes)))
          .block();
    } else {
      Mono.from(db.createCollection("reference")).block();
    }
    reference = db.getCollection("reference");
    List<Document> all = Flux.from(source.find()).collectList().block();
    Mono.from(reference.insertMany(all)).block();
    documents = new Document[SESSIONS];
    for (int i = 0; i < SESSIONS; i++) {
      documents[i] = Mono.from(reference.find(eq("_id", ids[i])).first()).block();
      if (documents[i] == null) {
        throw new IllegalStateException(
            "the store's _id is not the session id; adapt the references");
      }
    }
  }

  /** Stops everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
    thresholdStore.close();
    client.close();
    mongo.close();
  }

  /** Each thread walks the ids in its own order. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next;

    int next() {
      int i = next;
      next = i + 1 == SESSIONS ? 0 : i + 1;
      return i;
    }
  }

  // ---- get ----

  /**
   * @return the session read through the store (touch threshold 0: every get refreshes it)
   */
  @Benchmark
  public Session store_get(Cursor c) {
    return store.get(ids[c.next()]).block();
  }

  /**
   * @return the session read through a store whose touch threshold is one minute
   */
  @Benchmark
  public Session store_get_touchThreshold1m(Cursor c) {
    return thresholdStore.get(thresholdIds[c.next()]).block();
  }

  /**
   * @return the document read by the driver with {@code find({_id})}: one round trip
   */
  @Benchmark
  public Document driver_find_id(Cursor c) {
    return Mono.from(reference.find(eq("_id", ids[c.next()])).first()).block();
  }

  /**
   * The store's get with touch threshold 0, done with the driver: the one {@code findAndModify} the
   * store sends (filter: the id, live at now, the idle limit it guesses; update: {@code $max} of
   * lastAccessedAt and the idle expiry; the document after), one round trip.
   *
   * @return the document read
   */
  @Benchmark
  public Document driver_get_sameShape(Cursor c) {
    String id = ids[c.next()];
    Date now = new Date();
    return Mono.from(
            reference.findOneAndUpdate(
                and(eq("_id", id), live(now), eq("mi", IDLE_MILLIS)),
                Updates.combine(
                    Updates.max("a", now),
                    Updates.max("ie", new Date(now.getTime() + IDLE_MILLIS))),
                ALL_AFTER))
        .block();
  }

  // ---- save ----

  /**
   * @return the saved session
   */
  @Benchmark
  public Session store_save(Cursor c) {
    return store.save(sessions[c.next()]).block();
  }

  /**
   * @return the driver's result of {@code replaceOne({_id}, document)}: one round trip
   */
  @Benchmark
  public Object driver_replaceOne_id(Cursor c) {
    int i = c.next();
    return Mono.from(reference.replaceOne(eq("_id", ids[i]), documents[i])).block();
  }

  /**
   * The store's save of a live session, done with the driver: the one {@code findAndModify} the
   * store sends (filter: the id, live at now, the same binding; update: {@code $set} of every
   * field, {@code $unset} of the sweep mark, {@code $inc} of the version; the new version back),
   * one round trip.
   *
   * @return the new version's document
   */
  @Benchmark
  public Document driver_save_sameShape(Cursor c) {
    int i = c.next();
    Date now = new Date();
    List<Bson> updates = new ArrayList<>();
    for (Map.Entry<String, Object> field : documents[i].entrySet()) {
      if (!field.getKey().equals("_id") && !field.getKey().equals("v")) {
        updates.add(Updates.set(field.getKey(), field.getValue()));
      }
    }
    updates.add(Updates.set("a", now));
    updates.add(Updates.set("ie", new Date(now.getTime() + IDLE_MILLIS)));
    updates.add(Updates.unset("s"));
    updates.add(Updates.inc("v", 1L));
    return Mono.from(
            reference.findOneAndUpdate(
                and(eq("_id", ids[i]), live(now), exists("p", false)),
                Updates.combine(updates),
                VERSION_AFTER))
        .block();
  }

  // ---- update ----

  /**
   * @return the updated session
   */
  @Benchmark
  public Session store_update(Cursor c) {
    return store.update(ids[c.next()], MemoryStoreBenchmark.CHANGE).block();
  }

  /**
   * @return the driver's result of {@code find({_id})} then {@code replaceOne({_id}, document)}
   */
  @Benchmark
  public Object driver_update_id(Cursor c) {
    String id = ids[c.next()];
    return Mono.from(reference.find(eq("_id", id)).first())
        .flatMap(
            found -> {
              found.put("v", found.getLong("v") + 1);
              return Mono.from(reference.replaceOne(eq("_id", id), found));
            })
        .block();
  }

  /**
   * The store's update, done with the driver: {@code find({_id})}, then a {@code replaceOne} of the
   * document with the next version, conditional on the version read and the session being live (two
   * round trips, like the store's).
   *
   * @return the driver's result of the replace
   */
  @Benchmark
  public Object driver_update_sameShape(Cursor c) {
    String id = ids[c.next()];
    return Mono.from(reference.find(eq("_id", id)).first())
        .flatMap(
            found -> {
              Date now = new Date();
              Bson filter = and(eq("_id", id), eq("v", found.getLong("v")), live(now));
              found.put("v", found.getLong("v") + 1);
              found.put("a", now);
              found.put("ie", new Date(now.getTime() + IDLE_MILLIS));
              return Mono.from(reference.replaceOne(filter, found));
            })
        .block();
  }

  /**
   * The store's liveness condition: not a tombstone, neither expiry reached at now.
   *
   * @param now the time
   * @return the filter
   */
  static Bson live(Date now) {
    return and(exists("t", false), not(lte("ie", now)), not(lte("dl", now)));
  }

  /** The store's answer to a write: the new version only. */
  static final FindOneAndUpdateOptions VERSION_AFTER =
      new FindOneAndUpdateOptions()
          .projection(Projections.include("v"))
          .returnDocument(ReturnDocument.AFTER);

  /** The store's answer to a refresh: the session fields after it. */
  static final FindOneAndUpdateOptions ALL_AFTER =
      new FindOneAndUpdateOptions()
          .projection(Projections.include("v", "d", "p", "x", "c", "a", "mi", "dl", "ie", "r"))
          .returnDocument(ReturnDocument.AFTER);
}
