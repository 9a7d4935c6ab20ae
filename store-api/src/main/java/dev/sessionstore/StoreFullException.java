package dev.sessionstore;

/**
 * Signalled by {@link SessionStore#create(SessionDraft)} when a bounded store holds as many
 * sessions as it may, and is configured to refuse new ones rather than evict live ones.
 */
public class StoreFullException extends SessionStoreException {
  private static final long serialVersionUID = 1L;

  private final long limit;

  /**
   * Creates an exception.
   *
   * @param limit the store's bound
   */
  public StoreFullException(long limit) {
    super("the store holds its maximum of " + limit + " sessions and refuses new ones");
    this.limit = limit;
  }

  /**
   * @return the store's bound
   */
  public long limit() {
    return limit;
  }
}
