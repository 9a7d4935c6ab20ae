package dev.sessionstore.examples.quiz;

import dev.sessionstore.SessionStore;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.csrf.CookieServerCsrfTokenRepository;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.security.web.server.csrf.ServerCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * The Spring Boot application behind {@link QuizServer}: the quiz, the routes, Spring Security and
 * the server's limits. The {@link SessionStore} comes from {@code store-spring-boot-starter},
 * opened from {@code sessionstore.uri} (the {@code --store} option), unless a test gives its own
 * clock: then {@link QuizServer#start(Options, InstantSource)} registers a store on that clock and
 * the starter's backs off. {@link Options} and the {@link InstantSource} are registered before the
 * context refreshes.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableWebFluxSecurity
class QuizApplication {

  /** How long any single store operation may take before the request answers 503. */
  static final Duration STORE_TIMEOUT = Duration.ofSeconds(15);

  @Bean(destroyMethod = "close")
  QuizService quizService(SessionStore store, InstantSource clock, Options options) {
    return new QuizService(store, clock, options);
  }

  @Bean
  RouterFunction<ServerResponse> quizRoutes(QuizService service, Options options) {
    return new QuizHandlers(service, options.secureCookies()).routes();
  }

  /**
   * Spring Security: logins are the store's login sessions ({@link
   * LoginSessionSecurityContextRepository}); every state-changing request needs the CSRF token that
   * the {@code XSRF-TOKEN} cookie carries, echoed in the {@code X-XSRF-TOKEN} header (a page of
   * another site can neither read the cookie nor send that header); the page, the login, the token
   * and the stats are open; everything else needs a login. Nothing is kept in a WebSession.
   */
  @Bean
  SecurityWebFilterChain securityFilterChain(
      ServerHttpSecurity http, SessionStore store, Options options) {
    CookieServerCsrfTokenRepository csrfTokens =
        CookieServerCsrfTokenRepository.withHttpOnlyFalse();
    csrfTokens.setCookieCustomizer(
        cookie -> {
          cookie.sameSite("Strict");
          if (options.secureCookies()) {
            cookie.secure(true);
          }
        });
    return http.securityContextRepository(
            new LoginSessionSecurityContextRepository(store, STORE_TIMEOUT))
        .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
        .csrf(
            csrf ->
                csrf.csrfTokenRepository(csrfTokens)
                    // The page reads the token from its cookie and echoes it as is.
                    .csrfTokenRequestHandler(new ServerCsrfTokenRequestAttributeHandler())
                    .accessDeniedHandler(
                        (exchange, denied) ->
                            QuizErrors.write(
                                exchange,
                                403,
                                "cross-site request refused: the X-XSRF-TOKEN header must echo the XSRF-TOKEN cookie")))
        .authorizeExchange(
            exchanges ->
                exchanges
                    .pathMatchers(HttpMethod.GET, "/", "/index.html", "/app.js", "/style.css")
                    .permitAll()
                    .pathMatchers("/api/login", "/api/csrf", "/api/stats")
                    .permitAll()
                    .anyExchange()
                    .authenticated())
        .exceptionHandling(
            handling ->
                handling
                    .authenticationEntryPoint(
                        (exchange, e) ->
                            QuizErrors.write(exchange, 401, QuizService.notLoggedIn().getMessage()))
                    .accessDeniedHandler(
                        (exchange, e) -> QuizErrors.write(exchange, 403, "forbidden")))
        .headers(
            headers ->
                headers
                    .contentSecurityPolicy(
                        csp ->
                            csp.policyDirectives(
                                "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"))
                    .referrerPolicy(
                        referrer ->
                            referrer.policy(
                                ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER)))
        .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
        .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
        .logout(ServerHttpSecurity.LogoutSpec::disable)
        .build();
  }

  /**
   * Makes sure every response carries the CSRF cookie, so the page has a token before its first
   * POST.
   */
  @Bean
  WebFilter csrfCookieFilter() {
    return (exchange, chain) -> {
      Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
      return token == null ? chain.filter(exchange) : token.then(chain.filter(exchange));
    };
  }

  /**
   * Refuses early what the API never reads: a POST body that is not JSON (415) or that announces
   * more than the limit (413). A cross-site form can only send form-encoded or plain-text bodies.
   */
  @Bean
  WebFilter jsonBodiesOnly() {
    return (exchange, chain) -> {
      HttpHeaders headers = exchange.getRequest().getHeaders();
      if (HttpMethod.POST.equals(exchange.getRequest().getMethod())
          && exchange.getRequest().getPath().value().startsWith("/api/")) {
        long length = headers.getContentLength();
        if (length > QuizHandlers.MAX_BODY_BYTES) {
          return Mono.error(
              new ApiException(413, "request body over " + QuizHandlers.MAX_BODY_BYTES + " bytes"));
        }
        MediaType type = headers.getContentType();
        boolean hasBody = length > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
        if ((type != null || hasBody)
            && (type == null || !MediaType.APPLICATION_JSON.isCompatibleWith(type))) {
          return Mono.error(new ApiException(415, "send the request body as application/json"));
        }
      }
      return chain.filter(exchange);
    };
  }

  @Bean
  @Order(-2) // before Boot's own error handler (-1)
  WebExceptionHandler quizErrors() {
    return new QuizErrors();
  }

  /**
   * Server limits: a request whose body stalls (slowloris) is cut after the read timeout, a request
   * that takes too long in all after three of them, an idle connection (or one whose request head
   * never completes) after the idle timeout, and connections beyond the limit are closed at once.
   */
  @Bean
  NettyServerCustomizer serverLimits(Options options) {
    AtomicInteger open = new AtomicInteger();
    int max = options.maxConnections();
    return server ->
        server
            .option(ChannelOption.SO_BACKLOG, 1024)
            .readTimeout(options.readTimeout())
            .requestTimeout(options.readTimeout().multipliedBy(3))
            .idleTimeout(options.idleTimeout())
            .httpRequestDecoder(spec -> spec.maxHeaderSize(16 * 1024).maxInitialLineLength(4096))
            .doOnChannelInit(
                (observer, channel, remote) -> {
                  channel.closeFuture().addListener(closed -> open.decrementAndGet());
                  if (open.incrementAndGet() > max) {
                    channel.close();
                  }
                });
  }
}
