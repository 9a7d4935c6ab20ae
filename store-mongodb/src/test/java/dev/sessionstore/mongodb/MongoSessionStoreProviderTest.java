package dev.sessionstore.mongodb;

import dev.sessionstore.tck.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class MongoSessionStoreProviderTest {

  private final TestClock clock = new TestClock(MongoTesting.START);

  @Test
  void servesBothSchemes() {
    assertThat(new MongoSessionStoreProvider().schemes()).containsExactlyInAnyOrder("mongodb",
        "mongodb+srv");
  }

  @Test
  void readsItsOwnParametersAndHandsTheRestToTheDriver() {
    String collection = EmbeddedMongo.get().freshCollection();
    String uri = EmbeddedMongo.get().uri() + "?appName=sessionstore-test&collection=" + collection
        + "&maxIdle=7m&touchThreshold=1s&tombstoneGrace=1h&maxSessionBytes=64KiB&timeout=2s"
        + "&cleanupInterval=1h&createIndexes=true&ttlGrace=30m&sweepInterval=none&eventBuffer=16"
        + "&updateAttempts=5";
    try (SessionStore store = SessionStores.open(StoreOptions.parse(uri)
        .with(StoreOptions.CLOCK, clock))) {
      Session s = MongoTesting.await(store.create(SessionDraft.empty()));
      assertThat(s.maxIdle()).isEqualTo(Duration.ofMinutes(7));
      BsonDocument doc = MongoTesting.await(Mono.from(MongoTesting.collection(collection).find()
          .first()));
      assertThat(doc.getString("_id").getValue()).isEqualTo(s.id());
    }
  }

  @Test
  void takesTheCollectionFromThePath() {
    String collection = EmbeddedMongo.get().freshCollection();
    try (SessionStore store = SessionStores.open(StoreOptions.parse(
        EmbeddedMongo.get().uri() + "." + collection).with(StoreOptions.CLOCK, clock))) {
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
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    assertThatThrownBy(() -> SessionStores.open("mongodb://localhost:1/db?maxIdle=banana"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxIdle");
    assertThatThrownBy(() -> SessionStores.open("mongodb://localhost:1/db.a?collection=b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two collections");
  }

  @Test
  void anUnreachableServerFailsOpenWithinTheTimeout() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> SessionStores.open("mongodb://127.0.0.1:1/db?timeout=500ms"))
        .isInstanceOf(dev.sessionstore.StoreUnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void idsStayOutOfMessages() {
    assertThat(Session.redact("abcdefghijklmnop")).doesNotContain("ijkl");
  }
}
