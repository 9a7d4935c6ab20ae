package dev.sessionstore.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class MongoSessionStoreProviderTest {

  private final TestClock clock = new TestClock(MongoTesting.START);

  @Test
  void servesBothSchemes() {
    assertThat(new MongoSessionStoreProvider().schemes())
        .containsExactlyInAnyOrder("mongodb", "mongodb+srv");
  }

  @Test
  void readsItsOwnParametersAndHandsTheRestToTheDriver() {
    String collection = EmbeddedMongo.get().freshCollection();
    String uri =
        EmbeddedMongo.get().uri()
            + "?appName=sessionstore-test&collection="
            + collection
            + "&maxIdle=7m&touchThreshold=1s&tombstoneGrace=1h&maxSessionBytes=64KiB&timeout=2s"
            + "&cleanupInterval=1h&createIndexes=true&ttlGrace=30m&sweepInterval=none&eventBuffer=16"
            + "&updateAttempts=5";
    try (SessionStore store =
        SessionStores.open(StoreOptions.parse(uri).with(StoreOptions.CLOCK, clock))) {
      Session s = MongoTesting.await(store.create(SessionDraft.empty()));
      assertThat(s.maxIdle()).isEqualTo(Duration.ofMinutes(7));
      BsonDocument doc =
          MongoTesting.await(Mono.from(MongoTesting.collection(collection).find().first()));
      assertThat(doc.getString("_id").getValue()).isEqualTo(s.id());
    }
  }

  @Test
  void takesTheCollectionFromThePath() {
    String collection = EmbeddedMongo.get().freshCollection();
    try (SessionStore store =
        SessionStores.open(
            StoreOptions.parse(EmbeddedMongo.get().uri() + "." + collection)
                .with(StoreOptions.CLOCK, clock))) {
      MongoTesting.await(store.create(SessionDraft.empty()));
    }
    assertThat(MongoTesting.await(Mono.from(MongoTesting.collection(collection).countDocuments())))
        .isEqualTo(1L);
  }

  @Test
  void aUriWithoutDatabaseFailsClearlyWithoutPrintingThePassword() {
    assertThatThrownBy(() -> SessionStores.open("mongodb://bob:hunter2@localhost:1/?collection=x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no database")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void badOptionsFailNamingThem() {
    assertThatThrownBy(() -> SessionStores.open("mongodb://localhost:1/db?timeout=0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> SessionStores.open("mongodb://localhost:1/db?maxIdle=banana"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxIdle");
    assertThatThrownBy(() -> SessionStores.open("mongodb://localhost:1/db.a?collection=b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two collections");
  }

  @Test
  void anUnreachableServerFailsOpenNamingTheHostAndTheDriversCause() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> SessionStores.open("mongodb://bob:hunter2@127.0.0.1:1/db?timeout=500ms"))
        .isInstanceOf(dev.sessionstore.StoreUnavailableException.class)
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageContaining("Connection refused")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("observe");
    // Only a hang could miss this bound, not a busy machine.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
  }

  @Test
  void unknownParametersFailNamingThemWhileTheDriversOwnPassThrough() {
    assertThatThrownBy(() -> SessionStores.open("mongodb://localhost:1/db?maxIdel=20m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxIdel")
        .hasMessageContaining("maxIdle")
        .hasMessageContaining("replicaset");
    String collection = EmbeddedMongo.get().freshCollection();
    try (SessionStore store =
        SessionStores.open(
            StoreOptions.parse(
                    EmbeddedMongo.get().uri()
                        + "?MAXPOOLSIZE=7&appname=x&serverSelectionTimeoutMS=20000&retryWrites=false&collection="
                        + collection)
                .with(StoreOptions.CLOCK, clock))) {
      assertThat(MongoTesting.await(store.count())).isZero();
    }
  }

  /** The pass-through list is the driver's own: this fails when a driver upgrade changes it. */
  @Test
  void theDriverOptionsAreTheDriversOwnList() throws Exception {
    java.lang.reflect.Field keys = com.mongodb.ConnectionString.class.getDeclaredField("ALL_KEYS");
    keys.setAccessible(true);
    assertThat(DriverOptions.NAMES)
        .isEqualTo(new java.util.TreeSet<>((java.util.Set<?>) keys.get(null)));
  }

  @Test
  void secretsNeverAppearInErrors() {
    assertThatThrownBy(() -> SessionStores.open("mongodb://bob:pa/ss@localhost:1/?collection=x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("pa/ss");
    assertThatThrownBy(
            () ->
                SessionStores.open(
                    "mongodb://localhost:1/db?authMechanism=MONGODB-AWS"
                        + "&authMechanismProperties=AWS_SESSION_TOKEN:s3cr3tT0ken&maxIdel=1m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cr3tT0ken");
    assertThat(
            StoreOptions.parse(
                    "mongodb://localhost:1/db?authMechanismProperties="
                        + "AWS_SESSION_TOKEN:s3cr3tT0ken")
                .toString())
        .doesNotContain("s3cr3tT0ken");
  }

  @Test
  void idsStayOutOfMessages() {
    assertThat(Session.redact("abcdefghijklmnop")).doesNotContain("ijkl");
  }
}
