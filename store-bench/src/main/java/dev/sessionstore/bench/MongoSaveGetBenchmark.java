package dev.sessionstore.bench;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;

import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.mongodb.spring.session.MongoSession;
import org.mongodb.spring.session.ReactiveMongoSessionRepository;
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
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A request's round trip with the ~1 KiB payload ({@link Payloads#kib}) on one embedded
 * mongo-java-server: store the session with its attributes, then read it back and one attribute
 * from it, each side through its own API and completed with {@code block()}:
 *
 * <ul>
 *   <li>ours: {@code withData(SessionData.of(payload))} on the session the request holds, {@code
 *       save} (one {@code findAndModify}), then {@code get} (one {@code findAndModify}) and {@code
 *       attribute};
 *   <li>Spring Session's {@link ReactiveMongoSessionRepository} (the MongoDB project's {@code
 *       mongodb-spring-session}, default JDK-serialising converter): a new {@link MongoSession}
 *       under the same id, {@code setAttribute} for each attribute, {@code save} (one upsert), then
 *       {@code findById} (one find) and {@code getAttribute};
 *   <li>the raw reactive driver sending the store's two commands (same filter keys, same update
 *       operators, same projections) to a copy of the store's collection.
 * </ul>
 *
 * <p>Each side holds the same {@value MongoStoreBenchmark#SESSIONS} ids in its own collection (at
 * most 1,000 documents: the embedded server scans a collection for compound filters, which must not
 * decide the result). Instantiated and driven by JMH only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class MongoSaveGetBenchmark {

  /** Both stores' idle limit: the store's default, 30 minutes. */
  private static final long IDLE_SECONDS = Duration.ofMinutes(30).toSeconds();

  EmbeddedMongo mongo;
  SessionStore store;
  MongoClient client;
  ReactiveMongoSessionRepository spring;
  MongoCollection<Document> reference;
  Session[] sessions;
  String[] ids;
  Map<String, Object> payload;

  /** Starts the server; opens the store, the repository and the driver, each with the same ids. */
  @Setup(Level.Trial)
  public void setUp() {
    mongo = new EmbeddedMongo();
    store = SessionStores.open(MongoStoreBenchmark.storeOptions(mongo));
    client = MongoClients.create(mongo.connectionString());
    spring =
        new ReactiveMongoSessionRepository(
            new ReactiveMongoTemplate(client, MongoStoreBenchmark.DATABASE));
    spring.setCollectionName("spring_sessions");
    spring.afterPropertiesSet();
    payload = Payloads.kib(42);
    int n = MongoStoreBenchmark.SESSIONS;
    sessions = new Session[n];
    ids = new String[n];
    for (int i = 0; i < n; i++) {
      sessions[i] = store.create(SessionDraft.empty()).block();
      ids[i] = sessions[i].id();
      spring.save(new MongoSession(ids[i], IDLE_SECONDS)).block();
    }
    reference = client.getDatabase(MongoStoreBenchmark.DATABASE).getCollection("reference_pairs");
    List<Document> all =
        Flux.from(MongoStoreBenchmark.sessionCollection(client).find()).collectList().block();
    Mono.from(reference.insertMany(all)).block();
  }

  /** Stops everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
    client.close();
    mongo.close();
  }

  /**
   * @return the attribute read back; save then get through the MongoDB store
   */
  @Benchmark
  public Object store_saveThenGet(MongoStoreBenchmark.Cursor c) {
    int i = c.next();
    store.save(sessions[i].withData(SessionData.of(payload))).block();
    return store.get(ids[i]).block().attribute("user");
  }

  /**
   * @return the attribute read back; save then findById through Spring's MongoDB repository
   */
  @Benchmark
  public Object spring_saveThenFindById(MongoStoreBenchmark.Cursor c) {
    int i = c.next();
    MongoSession session = new MongoSession(ids[i], IDLE_SECONDS);
    for (Map.Entry<String, Object> attribute : payload.entrySet()) {
      session.setAttribute(attribute.getKey(), attribute.getValue());
    }
    spring.save(session).block();
    return spring.findById(ids[i]).block().getAttribute("user");
  }

  /**
   * The store's two commands done with the driver on a copy of its collection: a {@code
   * findAndModify} that sets the data and the access fields of a live, unbound session and
   * increments its version (returning the version), then a {@code findAndModify} that refreshes the
   * access fields with {@code $max} (returning the document).
   *
   * @return the attribute read back
   */
  @Benchmark
  public Object driver_saveThenGet_sameShape(MongoStoreBenchmark.Cursor c) {
    String id = ids[c.next()];
    Date now = new Date();
    Date idleExpiry = new Date(now.getTime() + Duration.ofMinutes(30).toMillis());
    Mono.from(
            reference.findOneAndUpdate(
                and(eq("_id", id), MongoStoreBenchmark.live(now), exists("p", false)),
                Updates.combine(
                    Updates.set("d", new Document(payload)),
                    Updates.set("a", now),
                    Updates.set("ie", idleExpiry),
                    Updates.unset("s"),
                    Updates.inc("v", 1L)),
                MongoStoreBenchmark.VERSION_AFTER))
        .block();
    Document read =
        Mono.from(
                reference.findOneAndUpdate(
                    and(
                        eq("_id", id),
                        MongoStoreBenchmark.live(now),
                        eq("mi", Duration.ofMinutes(30).toMillis())),
                    Updates.combine(Updates.max("a", now), Updates.max("ie", idleExpiry)),
                    MongoStoreBenchmark.ALL_AFTER))
            .block();
    return read.get("d", Document.class).get("user");
  }
}
