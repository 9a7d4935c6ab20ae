package dev.sessionstore;

/**
 * Signalled when binding a principal to a session conflicts with another live session's exclusive
 * claim on that principal, or when claiming a principal exclusively while another live session is
 * bound to it exclusively.
 */
public class PrincipalConflictException extends SessionStoreException {
  private static final long serialVersionUID = 1L;

  private final String principal;

  /**
   * Creates an exception.
   *
   * @param principal the contested principal
   */
  public PrincipalConflictException(String principal) {
    super("principal '" + principal + "' is claimed exclusively by another live session");
    this.principal = principal;
  }

  /**
   * @return the contested principal
   */
  public String principal() {
    return principal;
  }
}
