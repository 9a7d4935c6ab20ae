package dev.sessionstore;

/**
 * Signalled by {@link SessionStore#save(Session)} and {@link SessionStore#saveIfUnchanged(Session)}
 * when the session was destroyed: a destroyed session is never brought back.
 */
public class SessionDestroyedException extends SessionStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param sessionId the session id (only its prefix is printed)
   */
  public SessionDestroyedException(String sessionId) {
    super("session " + Session.redact(sessionId) + " was destroyed and cannot be written again");
  }
}
