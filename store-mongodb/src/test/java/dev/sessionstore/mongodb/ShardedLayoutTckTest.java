package dev.sessionstore.mongodb;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.BackendControl;
import dev.sessionstore.tck.KitConfiguration;
import dev.sessionstore.tck.SessionStoreTck;
import java.util.List;

/**
 * The whole compatibility kit in the layout of a collection sharded on {@code _id}: the store opens
 * with {@code forbidUniqueIndexes=true}, so it fails if either collection has a unique secondary
 * index, which a sharded collection cannot have. The embedded server cannot shard; this is the
 * closest honest check. Runs in CI, in the default configuration only: the store's code paths do
 * not depend on the layout, and {@link EmbeddedMongoTckTest} covers every configuration.
 */
class ShardedLayoutTckTest implements SessionStoreTck {

  private static final EmbeddedMongo MONGO = EmbeddedMongo.get();
  private final EmbeddedMongoTckTest embedded = new EmbeddedMongoTckTest();

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    return SessionStores.open(
        kitOptions.withUri(MONGO.freshUri("timeout=3s&forbidUniqueIndexes=true")));
  }

  @Override
  public List<KitConfiguration> configurations() {
    return List.of(KitConfiguration.DEFAULTS);
  }

  @Override
  public BackendControl backendControl() {
    return embedded.backendControl();
  }
}
