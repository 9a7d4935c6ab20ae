package dev.sessionstore.memory;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.KitConfiguration;
import dev.sessionstore.tck.SessionStoreTck;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the whole compatibility kit against the memory store, opened through its URI, in every
 * configuration it documents: the common ones and each {@code whenFull} policy (SPEC R9.2).
 */
class MemoryStoreTckTest implements SessionStoreTck {

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    return SessionStores.open(kitOptions.withUri("memory:"));
  }

  @Override
  public List<KitConfiguration> configurations() {
    List<KitConfiguration> configurations = new ArrayList<>(KitConfiguration.common());
    // The default policy is reject; evict is the other one.
    configurations.add(
        KitConfiguration.of(
            "whenFull=evict",
            o -> o.with(MemorySessionStore.WHEN_FULL, MemorySessionStore.WhenFull.EVICT)));
    return configurations;
  }
}
