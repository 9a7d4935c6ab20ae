package dev.sessionstore;

import org.jspecify.annotations.Nullable;

/** The base of every exception a {@link SessionStore} signals for a failed operation. */
public class SessionStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong
   */
  public SessionStoreException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public SessionStoreException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
