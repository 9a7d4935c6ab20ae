package dev.sessionstore.mongodb;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.spi.StoreUri;
import dev.sessionstore.tck.SessionStoreTck;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The whole compatibility kit against a MongoDB server of your own: {@code ./mvnw -pl store-mongodb
 * verify -Dsessionstore.mongodb.uri=mongodb://host/db}. The URI needs a database; every store gets
 * a fresh collection ({@code tck_…}), dropped after the run. Skipped without the property.
 */
@EnabledIfSystemProperty(
    named = ExternalMongoTckTest.PROPERTY,
    matches = ".+",
    disabledReason =
        "no external server: run with -D"
            + ExternalMongoTckTest.PROPERTY
            + "=mongodb://host/database to check the store against one")
class ExternalMongoTckTest implements SessionStoreTck {

  static final String PROPERTY = "sessionstore.mongodb.uri";

  private static final List<String> COLLECTIONS = new CopyOnWriteArrayList<>();

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    String uri = System.getProperty(PROPERTY);
    String collection = "tck_" + UUID.randomUUID().toString().replace("-", "");
    COLLECTIONS.add(collection);
    return SessionStores.open(
        kitOptions.withUri(uri + (uri.contains("?") ? "&" : "?") + "collection=" + collection));
  }

  @AfterAll
  static void dropCollections() {
    String uri = System.getProperty(PROPERTY);
    StoreOptions options = StoreOptions.parse(uri);
    String database =
        new com.mongodb.ConnectionString(StoreUri.of(options).without(List.of("collection")))
            .getDatabase();
    try (MongoClient client =
        MongoClients.create(StoreUri.of(options).without(List.of("collection")))) {
      Flux.fromIterable(COLLECTIONS)
          .concatMap(name -> Mono.from(client.getDatabase(database).getCollection(name).drop()))
          .blockLast();
    }
  }
}
