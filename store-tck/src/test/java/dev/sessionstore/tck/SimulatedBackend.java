package dev.sessionstore.tck;

/**
 * The reference store's pretend backend: a switch the kit's {@link BackendControl} flips, and a way
 * to corrupt a record.
 */
final class SimulatedBackend implements BackendControl {

  private volatile boolean up = true;

  boolean isUp() {
    return up;
  }

  @Override
  public void cut() {
    up = false;
  }

  @Override
  public void restore() {
    up = true;
  }

  @Override
  public boolean corrupt(dev.sessionstore.SessionStore store, String sessionId) {
    return store instanceof ReferenceStore && ((ReferenceStore) store).corruptRecord(sessionId);
  }
}
