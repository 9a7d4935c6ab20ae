package dev.sessionstore.tck;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;

/** The whole kit against the correct reference store, with a backend the kit can cut. */
class ReferenceStoreTckTest implements SessionStoreTck {

  private final SimulatedBackend backend = new SimulatedBackend();

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    return SessionStores.open(
        kitOptions.withUri("reference:").with(ReferenceStoreProvider.BACKEND, backend));
  }

  @Override
  public BackendControl backendControl() {
    return backend;
  }
}
