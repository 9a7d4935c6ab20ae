package dev.sessionstore.spi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The open/closed state of a store (SPEC R8.3): after {@link #close()} every operation fails with
 * the same {@link IllegalStateException} naming the store, and closing again does nothing.
 * Thread-safe.
 */
public final class StoreGuard {

  private final String storeName;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Creates the state of an open store.
   *
   * @param storeName the store's name in messages, such as {@code "memory session store"}
   */
  public StoreGuard(String storeName) {
    this.storeName = storeName;
  }

  /**
   * Checks that the store is open; call it first thing in every operation, inside the returned
   * publisher so that the failure is signalled.
   *
   * @throws IllegalStateException if the store is closed
   */
  public void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the " + storeName + " is closed");
    }
  }

  /**
   * Marks the store closed.
   *
   * @return {@code true} the first time, when the caller must release the store's resources
   */
  public boolean close() {
    return closed.compareAndSet(false, true);
  }

  /**
   * @return whether the store is closed
   */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public String toString() {
    return storeName + (closed.get() ? " (closed)" : " (open)");
  }
}
