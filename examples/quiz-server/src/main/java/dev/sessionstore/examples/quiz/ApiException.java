package dev.sessionstore.examples.quiz;

/**
 * A request the quiz cannot serve, with the HTTP status and the message the client sees. Thrown
 * inside {@code SessionStore.update} changes too, where it aborts the write and reaches the handler
 * as the update's error. Immutable.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /**
   * @return the HTTP status code to answer with
   */
  int status() {
    return status;
  }
}
