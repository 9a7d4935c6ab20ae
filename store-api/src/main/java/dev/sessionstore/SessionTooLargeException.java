package dev.sessionstore;

/**
 * Signalled when a session's encoded size exceeds the store's limit ({@link
 * StoreOptions#MAX_SESSION_BYTES}); the stored previous version is unchanged.
 */
public class SessionTooLargeException extends SessionStoreException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  /**
   * Creates an exception.
   *
   * @param size the encoded size in bytes
   * @param limit the store's limit in bytes
   */
  public SessionTooLargeException(long size, long limit) {
    super("session is " + size + " bytes encoded, over the store's limit of " + limit + " bytes");
    this.size = size;
    this.limit = limit;
  }

  /**
   * @return the encoded size in bytes
   */
  public long size() {
    return size;
  }

  /**
   * @return the store's limit in bytes
   */
  public long limit() {
    return limit;
  }
}
