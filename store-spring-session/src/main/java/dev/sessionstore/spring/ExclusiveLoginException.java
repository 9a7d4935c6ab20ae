package dev.sessionstore.spring;

import dev.sessionstore.PrincipalConflictException;

/**
 * A session could not be bound to a principal because another live session holds that principal
 * exclusively (see {@link StoreSession#EXCLUSIVE_ATTRIBUTE} and the repositories' {@code
 * setExclusiveLogin}). Applications answer it with {@code 409 Conflict}.
 *
 * <p>When it is raised, nothing of the refused save was written, and the session's working copy has
 * dropped the request's changes, so the session stays as it was before the login.
 */
public class ExclusiveLoginException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String principal;

  /**
   * Creates the exception.
   *
   * @param principal the principal that is taken
   * @param cause the store's refusal
   */
  public ExclusiveLoginException(String principal, PrincipalConflictException cause) {
    super(
        "'"
            + principal
            + "' is logged in exclusively in another session; that session must end "
            + "(log out or expire) before this one can log in",
        cause);
    this.principal = principal;
  }

  /**
   * Returns the principal that is taken.
   *
   * @return the principal name
   */
  public String principal() {
    return principal;
  }
}
