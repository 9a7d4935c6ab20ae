package dev.sessionstore.examples.quiz;

import dev.sessionstore.Session;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by a live login session: the principal is the user name, and the login
 * session as read at the start of the request rides along. Immutable.
 */
final class QuizAuthentication extends AbstractAuthenticationToken {
  private static final long serialVersionUID = 1L;

  private final String user;
  private final transient Session login;

  QuizAuthentication(Session login) {
    super(List.of(new SimpleGrantedAuthority("ROLE_CANDIDATE")));
    this.user = QuizData.user(login);
    this.login = login;
    setAuthenticated(true);
  }

  /**
   * @return the login session this request carries
   */
  Session login() {
    return login;
  }

  @Override
  public Object getCredentials() {
    return null;
  }

  @Override
  public Object getPrincipal() {
    return user;
  }
}
