package dev.sessionstore;

/**
 * Signalled by {@link SessionStore#saveIfUnchanged(Session)} when the stored version is not the one
 * the caller read (or nothing is stored under the id): someone else wrote first, and nothing was
 * changed.
 */
public class StaleSessionException extends SessionStoreException {
  private static final long serialVersionUID = 1L;

  private final long expectedVersion;

  /**
   * Creates an exception.
   *
   * @param sessionId the session id (only its prefix is printed)
   * @param expectedVersion the version the caller expected
   * @param actual a description of what is stored, for example {@code "version 7"} or {@code
   *     "nothing"}
   */
  public StaleSessionException(String sessionId, long expectedVersion, String actual) {
    super(
        "session "
            + Session.redact(sessionId)
            + " was expected at version "
            + expectedVersion
            + " but the store holds "
            + actual);
    this.expectedVersion = expectedVersion;
  }

  /**
   * @return the version the caller expected
   */
  public long expectedVersion() {
    return expectedVersion;
  }
}
