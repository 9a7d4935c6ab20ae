package dev.sessionstore.tck;

import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The kit against the reference store with deliberate flaws. Not a test class of its own (surefire
 * does not pick it up by name): {@link BrokenStoresTest} runs it through the JUnit Platform
 * Launcher.
 */
class FlawedReferenceKit implements SessionStoreTck {

  static volatile Set<ReferenceStore.Flaw> flaws = EnumSet.noneOf(ReferenceStore.Flaw.class);

  private final SimulatedBackend backend = new SimulatedBackend();

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    return new ReferenceStore(kitOptions.withUri("reference:"), backend, flaws);
  }

  @Override
  public BackendControl backendControl() {
    return backend;
  }
}
