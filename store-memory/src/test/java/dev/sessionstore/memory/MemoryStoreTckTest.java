package dev.sessionstore.memory;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.SessionStoreTck;

/** Runs the whole compatibility kit against the memory store, opened through its URI. */
class MemoryStoreTckTest implements SessionStoreTck {

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    return SessionStores.open(kitOptions.withUri("memory:"));
  }
}
