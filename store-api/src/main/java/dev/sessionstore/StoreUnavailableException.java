package dev.sessionstore;

import org.jspecify.annotations.Nullable;

/**
 * Signalled when the store's backend cannot be reached or does not answer within the store's
 * timeout. The operation may or may not have taken effect; stores recover by themselves when the
 * backend is back.
 */
public class StoreUnavailableException extends SessionStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what could not be done
   * @param cause the underlying failure
   */
  public StoreUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
