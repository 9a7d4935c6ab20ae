package dev.sessionstore.mongodb;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.SessionStoreTck;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * The whole compatibility kit against a real MongoDB 7 single-node replica set in Docker, through
 * Testcontainers. Skipped when Docker is not available. The failure rules are skipped here (no
 * proxy in front of a replica set, whose members advertise their own addresses); the embedded run
 * covers them.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerMongoTckTest implements SessionStoreTck {

  @Container
  private static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7").withReplicaSet();

  private static final AtomicInteger COLLECTIONS = new AtomicInteger();

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    String url = MONGO.getReplicaSetUrl("sessionstore");
    String uri =
        url + (url.contains("?") ? "&" : "?") + "collection=tck_" + COLLECTIONS.incrementAndGet();
    return SessionStores.open(kitOptions.withUri(uri));
  }
}
