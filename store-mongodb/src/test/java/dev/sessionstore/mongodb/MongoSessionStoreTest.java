package dev.sessionstore.mongodb;

import static dev.sessionstore.mongodb.MongoTesting.await;
import static dev.sessionstore.mongodb.MongoTesting.collection;
import static dev.sessionstore.mongodb.MongoTesting.eventually;
import static dev.sessionstore.mongodb.MongoTesting.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.IndexOptions;
import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.SessionTooLargeException;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** What is particular to the MongoDB store: its documents, indexes, claims, sweeper and URI. */
class MongoSessionStoreTest {

  private final TestClock clock = new TestClock(MongoTesting.START);
  private String name;
  private SessionStore store;

  @BeforeEach
  void open() {
    name = EmbeddedMongo.get().freshCollection();
    store = SessionStores.open(options(name, clock, ""));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private BsonDocument stored(String id) {
    return await(
        Mono.from(
            collection(name).find(new BsonDocument("_id", new org.bson.BsonString(id))).first()));
  }

  private BsonDocument claim(String principal) {
    return await(
        Mono.from(
            collection(name + "_claims")
                .find(new BsonDocument("_id", new org.bson.BsonString(principal)))
                .first()));
  }

  private static SessionDraft draft() {
    return SessionDraft.empty().withMaxIdle(Duration.ofMinutes(10));
  }

  @Test
  void documentsFollowTheSchemaWithEscapedKeys() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("a.b", Map.of("$x", List.of(Map.of("%", 1))));
    Session s =
        await(
            store.create(
                SessionDraft.of(SessionData.of(data))
                    .withPrincipal("alice", true)
                    .withMaxIdle(Duration.ofMinutes(10))));

    BsonDocument doc = stored(s.id());
    assertThat(doc.keySet())
        .containsExactlyInAnyOrder("_id", "v", "d", "p", "x", "c", "a", "mi", "ie");
    assertThat(doc.getDocument("d").toJson()).isEqualTo("{\"a%2Eb\": {\"%24x\": [{\"%25\": 1}]}}");
    assertThat(doc.getInt64("mi").getValue()).isEqualTo(600_000L);
    assertThat(doc.getDateTime("ie").getValue())
        .isEqualTo(MongoTesting.START.plus(Duration.ofMinutes(10)).toEpochMilli());
    assertThat(await(store.get(s.id())).data()).isEqualTo(s.data());

    assertThat(await(store.destroy(s.id()))).isTrue();
    BsonDocument tombstone = stored(s.id());
    assertThat(tombstone.keySet()).containsExactlyInAnyOrder("_id", "v", "t");
    assertThat(tombstone.getInt64("v").getValue()).isEqualTo(2L);
  }

  @Test
  void createsItsIndexesNoneUniqueAndAcceptsThemOnTheNextOpen() {
    List<BsonDocument> indexes =
        await(Flux.from(collection(name).listIndexes(BsonDocument.class)).collectList());
    assertThat(indexes)
        .extracting(i -> i.getString("name").getValue())
        .containsExactlyInAnyOrder(
            "_id_",
            IndexSetup.PRINCIPAL_INDEX,
            IndexSetup.IDLE_EXPIRY_INDEX,
            IndexSetup.DEADLINE_INDEX,
            IndexSetup.TOMBSTONE_INDEX);
    assertThat(indexes)
        .as("no unique secondary index: shardable on _id")
        .noneMatch(i -> i.getBoolean("unique", org.bson.BsonBoolean.FALSE).getValue());
    for (String ttlIndex : List.of(IndexSetup.IDLE_EXPIRY_INDEX, IndexSetup.DEADLINE_INDEX)) {
      BsonDocument ttl =
          indexes.stream()
              .filter(i -> i.getString("name").getValue().equals(ttlIndex))
              .findFirst()
              .orElseThrow();
      assertThat(ttl.get("expireAfterSeconds").asNumber().longValue()).isEqualTo(3600L);
    }

    try (SessionStore again = SessionStores.open(options(name, clock, ""))) {
      assertThat(await(again.count())).isZero();
    }
    assertThat(await(Flux.from(collection(name).listIndexes()).count())).isEqualTo(indexes.size());
  }

  @Test
  void anExistingIndexWithOtherOptionsFailsOpenNamingIt() {
    String ttl = EmbeddedMongo.get().freshCollection();
    await(
        Mono.from(
            collection(ttl)
                .createIndex(
                    new BsonDocument("ie", new BsonInt32(1)),
                    new IndexOptions()
                        .name(IndexSetup.IDLE_EXPIRY_INDEX)
                        .expireAfter(60L, TimeUnit.SECONDS))));
    assertThatThrownBy(() -> SessionStores.open(options(ttl, clock, "ttlGrace=2h")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(IndexSetup.IDLE_EXPIRY_INDEX)
        .hasMessageContaining("expireAfterSeconds=7200");
  }

  @Test
  void forbidUniqueIndexesRefusesAUniqueSecondaryIndexOnEitherCollection() {
    String sessions = EmbeddedMongo.get().freshCollection();
    await(
        Mono.from(
            collection(sessions)
                .createIndex(
                    new BsonDocument("xc", new BsonInt32(1)),
                    new IndexOptions().name("old_claims").unique(true).sparse(true))));
    try (SessionStore lax = SessionStores.open(options(sessions, clock, ""))) {
      assertThat(await(lax.count())).as("allowed unless forbidden").isZero();
    }
    assertThatThrownBy(
            () -> SessionStores.open(options(sessions, clock, "forbidUniqueIndexes=true")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'old_claims'")
        .hasMessageContaining("sharded");

    String other = EmbeddedMongo.get().freshCollection();
    await(
        Mono.from(
            collection(other + "_claims")
                .createIndex(
                    new BsonDocument("s", new BsonInt32(1)),
                    new IndexOptions().name("holder_unique").unique(true))));
    assertThatThrownBy(() -> SessionStores.open(options(other, clock, "forbidUniqueIndexes=true")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'holder_unique'");
  }

  @Test
  void createIndexesFalseLeavesTheCollectionAlone() {
    String bare = EmbeddedMongo.get().freshCollection();
    try (SessionStore s = SessionStores.open(options(bare, clock, "createIndexes=false"))) {
      await(s.create(draft()));
    }
    assertThat(await(Flux.from(collection(bare).listIndexes(BsonDocument.class)).collectList()))
        .extracting(i -> i.getString("name").getValue())
        .containsExactly("_id_");
  }

  @Test
  void anExpiredHolderLosesItsClaimToTheNextClaimantButKeepsItsStateForTheEvent() {
    try (MongoTesting.Recorder events = new MongoTesting.Recorder(store)) {
      Session old = await(store.create(draft().withPrincipal("alice", true)));
      clock.advance(Duration.ofMinutes(10));
      Session next = await(store.create(draft().withPrincipal("alice", true)));

      assertThat(claim("alice").getString("s").getValue()).isEqualTo(next.id());
      assertThat(stored(old.id()).getDateTime("ie").getValue())
          .as("the expired holder is fenced off")
          .isZero();
      assertThatThrownBy(() -> await(store.create(draft().withPrincipal("alice", false))))
          .isInstanceOf(PrincipalConflictException.class);

      assertThat(await(store.cleanup())).isEqualTo(1L);
      eventually("EXPIRED event", () -> events.count(SessionEvent.Type.EXPIRED) == 1);
      Session last = events.of(SessionEvent.Type.EXPIRED).get(0).session();
      assertThat(last.id()).isEqualTo(old.id());
      assertThat(last.exclusive()).as("the expired session's last state").isTrue();
    }
  }

  @Test
  void saveOverAnUnsweptExpiredSessionEmitsExpiredThenCreated() {
    try (MongoTesting.Recorder events = new MongoTesting.Recorder(store)) {
      Session s = await(store.create(draft()));
      clock.advance(Duration.ofMinutes(11));
      Session saved = await(store.save(s.withAttribute("k", "v")));
      assertThat(saved.lastAccessedAt()).as("a save is an access").isEqualTo(clock.instant());
      assertThat(saved.version()).isEqualTo(1L);
      eventually("events", () -> events.events.size() == 3);
      assertThat(events.events)
          .extracting(SessionEvent::type)
          .containsExactly(
              SessionEvent.Type.CREATED, SessionEvent.Type.EXPIRED, SessionEvent.Type.CREATED);
      assertThat(await(store.cleanup())).as("nothing expired is left").isZero();
    }
  }

  @Test
  void destroyOfAnExpiredSessionTombstonesItAndReportsFalse() {
    try (MongoTesting.Recorder events = new MongoTesting.Recorder(store)) {
      Session s = await(store.create(draft()));
      clock.advance(Duration.ofMinutes(10));
      assertThat(await(store.destroy(s.id()))).isFalse();
      assertThatThrownBy(() -> await(store.save(s))).isInstanceOf(SessionDestroyedException.class);
      eventually("EXPIRED", () -> events.count(SessionEvent.Type.EXPIRED) == 1);
      assertThat(events.count(SessionEvent.Type.DESTROYED)).isZero();
    }
  }

  @Test
  void sweeperEmitsExpiredOnItsOwnWithoutDeleting() {
    try (SessionStore swept = SessionStores.open(options(name, clock, "sweepInterval=20ms"));
        MongoTesting.Recorder events = new MongoTesting.Recorder(swept)) {
      Session s = await(swept.create(draft()));
      clock.advance(Duration.ofMinutes(10));
      eventually("EXPIRED from the sweeper", () -> events.count(SessionEvent.Type.EXPIRED) == 1);
      assertThat(stored(s.id()).containsKey("s")).as("sweep mark").isTrue();
      assertThat(await(swept.cleanup())).as("cleanup still removes it").isEqualTo(1L);
      assertThat(events.count(SessionEvent.Type.EXPIRED)).isEqualTo(1L);
    }
  }

  @Test
  void tombstonesAreRemovedOnlyAfterTheGrace() {
    Session s = await(store.create(draft().withMaxIdle(null)));
    await(store.destroy(s.id()));
    clock.advance(Duration.ofMinutes(9));
    assertThat(await(store.cleanup())).isZero();
    clock.advance(Duration.ofMinutes(1));
    assertThat(await(store.cleanup())).isEqualTo(1L);
    assertThat(stored(s.id())).isNull();
  }

  @Test
  void sizeLimitIsClampedToMongoDbsDocumentLimit() {
    try (SessionStore big = SessionStores.open(options(name, clock, "maxSessionBytes=64MiB"))) {
      String mib = "x".repeat(1024 * 1024);
      Map<String, Object> data = new LinkedHashMap<>();
      for (int i = 0; i < 17; i++) {
        data.put("part" + i, mib);
      }
      assertThatThrownBy(() -> await(big.create(SessionDraft.of(SessionData.of(data)))))
          .isInstanceOfSatisfying(
              SessionTooLargeException.class,
              e -> assertThat(e.limit()).isEqualTo(16L * 1024 * 1024));
    }
  }

  @Test
  void regenerateMovesTheClaimAndTombstonesTheOldId() {
    Session s =
        await(
            store.create(
                draft()
                    .withPrincipal("alice", true)
                    .withDeadline(MongoTesting.START.plus(Duration.ofHours(1)))));
    Session moved = await(store.regenerate(s.id()));
    assertThat(moved.exclusive()).isTrue();
    assertThat(moved.version()).isEqualTo(2L);
    assertThat(moved.createdAt()).isEqualTo(s.createdAt());
    assertThat(moved.deadline()).isEqualTo(s.deadline());
    assertThat(claim("alice").getString("s").getValue()).isEqualTo(moved.id());
    assertThat(stored(s.id()).keySet()).containsExactlyInAnyOrder("_id", "v", "t", "r");
    assertThat(stored(s.id()).getString("r").getValue()).isEqualTo(moved.id());
    assertThat(await(store.get(moved.id()))).isEqualTo(moved);
  }

  @Test
  void closedStoreSignalsIllegalStateAndCloseIsIdempotent() {
    store.close();
    store.close();
    assertThatThrownBy(() -> await(store.get("abcdefghijklmnop")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> await(store.count())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.all().blockLast()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aUserSuppliedClientStaysOpenAfterClose() {
    MongoSessionStore own =
        MongoSessionStore.builder(MongoTesting.direct(), "sessionstore")
            .collection(EmbeddedMongo.get().freshCollection())
            .option(StoreOptions.CLOCK, clock)
            .option(StoreOptions.MAX_IDLE, Duration.ofMinutes(5))
            .build();
    Session s = await(own.create(SessionDraft.empty()));
    assertThat(s.maxIdle()).isEqualTo(Duration.ofMinutes(5));
    own.close();
    assertThat(
            await(
                Mono.from(MongoTesting.direct().getDatabase("sessionstore").listCollectionNames())
                    .hasElement()))
        .as("the client still works")
        .isTrue();
  }
}
