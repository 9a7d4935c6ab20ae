package dev.sessionstore.mongodb;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.BackendControl;
import dev.sessionstore.tck.SessionStoreTck;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The whole compatibility kit against the embedded {@code mongo-java-server} (in-memory backend),
 * through a TCP proxy that the kit's failure rules cut and restore. Each store gets a fresh
 * collection. Runs in CI.
 */
class EmbeddedMongoTckTest implements SessionStoreTck {

  private static final EmbeddedMongo MONGO = EmbeddedMongo.get();

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    // A short timeout keeps the failure rules quick; the kit's own TIMEOUT, if it sets one, wins.
    return SessionStores.open(kitOptions.withUri(MONGO.freshUri("timeout=3s")));
  }

  @Override
  public BackendControl backendControl() {
    TcpProxy proxy = MONGO.proxy();
    return new BackendControl() {
      @Override
      public void cut() {
        proxy.cut();
      }

      @Override
      public void restore() {
        try {
          proxy.restore();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public boolean corrupt(SessionStore store, String sessionId) {
        MongoTesting.corrupt((MongoSessionStore) store, sessionId);
        return true;
      }
    };
  }
}
