package dev.sessionstore;

/**
 * Thrown when session data holds a value that is not allowed (see {@link SessionData}); nothing is
 * written. The message names the attribute path, such as {@code answers[3]["q.1"]}.
 */
public class InvalidSessionDataException extends SessionStoreException {
  private static final long serialVersionUID = 1L;

  private final String path;

  /**
   * Creates an exception.
   *
   * @param path the path of the offending value
   * @param reason what is wrong with it
   */
  public InvalidSessionDataException(String path, String reason) {
    super("invalid session data at " + path + ": " + reason);
    this.path = path;
  }

  /**
   * @return the path of the offending value, such as {@code answers[3]["q.1"]}
   */
  public String path() {
    return path;
  }
}
