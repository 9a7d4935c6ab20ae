package dev.sessionstore.tck;

/** The reference store's pretend backend: a switch the kit's {@link BackendControl} flips. */
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
}
