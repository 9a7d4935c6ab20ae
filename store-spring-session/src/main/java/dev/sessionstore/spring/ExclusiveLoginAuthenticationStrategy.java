package dev.sessionstore.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Objects;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.SessionAuthenticationException;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;

/**
 * Spring Security's session step of a servlet login that makes the login exclusive: it changes the
 * session id (session-fixation protection, as Spring Security's default does), then claims the user
 * for this session in the store, atomically. While another live session holds the user, the login
 * fails with a {@link SessionAuthenticationException} whose cause is an {@link
 * ExclusiveLoginException}; the application's authentication failure handler answers it with 409.
 *
 * <pre>{@code
 * http.sessionManagement(session -> session
 *     .sessionAuthenticationStrategy(new ExclusiveLoginAuthenticationStrategy(repository)))
 *   .formLogin(form -> form.failureHandler((request, response, e) -> response.sendError(
 *       e.getCause() instanceof ExclusiveLoginException ? 409 : 401)));
 * }</pre>
 *
 * <p>Without it a servlet application still cannot log in twice exclusively, but the refusal comes
 * from the save at the end of the request, after the response is committed. (WebFlux needs no such
 * step: its login saves the session within the login request.) Thread-safe.
 */
public final class ExclusiveLoginAuthenticationStrategy implements SessionAuthenticationStrategy {

  private final SessionStoreRepository repository;
  private final SessionAuthenticationStrategy changeSessionId =
      new ChangeSessionIdAuthenticationStrategy();

  /**
   * Creates the strategy.
   *
   * @param repository the repository behind the application's {@code SessionRepositoryFilter}
   */
  public ExclusiveLoginAuthenticationStrategy(SessionStoreRepository repository) {
    this.repository = Objects.requireNonNull(repository, "repository");
  }

  @Override
  public void onAuthentication(
      Authentication authentication, HttpServletRequest request, HttpServletResponse response) {
    changeSessionId.onAuthentication(authentication, request, response);
    String sessionId = request.getSession().getId();
    try {
      repository.claimExclusive(sessionId, authentication.getName());
    } catch (ExclusiveLoginException e) {
      SessionAuthenticationException refused =
          new SessionAuthenticationException(String.valueOf(e.getMessage()));
      refused.initCause(e);
      throw refused;
    }
    request.getSession().setAttribute(StoreSession.EXCLUSIVE_ATTRIBUTE, Boolean.TRUE);
  }
}
