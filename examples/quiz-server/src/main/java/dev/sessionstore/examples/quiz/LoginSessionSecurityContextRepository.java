package dev.sessionstore.examples.quiz;

import dev.sessionstore.Session;
import dev.sessionstore.SessionStore;
import java.time.Duration;
import org.springframework.http.HttpCookie;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.server.context.ServerSecurityContextRepository;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Spring Security's view of the quiz's logins: a request is authenticated when its {@code sid}
 * cookie names a live login session in the store. Only login sessions count: a quiz or results
 * session id never authenticates anyone. Nothing is saved here: the login endpoint creates the
 * session (always under a new id) and sets the cookie. Thread-safe.
 */
final class LoginSessionSecurityContextRepository implements ServerSecurityContextRepository {

  /** The session cookie's name. */
  static final String COOKIE = "sid";

  private final SessionStore store;
  private final Duration timeout;

  LoginSessionSecurityContextRepository(SessionStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
  }

  @Override
  public Mono<Void> save(ServerWebExchange exchange, SecurityContext context) {
    return Mono.empty();
  }

  @Override
  public Mono<SecurityContext> load(ServerWebExchange exchange) {
    HttpCookie cookie = exchange.getRequest().getCookies().getFirst(COOKIE);
    if (cookie == null || !Session.isWellFormedId(cookie.getValue())) {
      return Mono.empty();
    }
    return store
        .get(cookie.getValue())
        .timeout(timeout)
        .filter(QuizData::isLogin)
        .map(login -> new SecurityContextImpl(new QuizAuthentication(login)));
  }
}
