package dev.sessionstore.examples.quiz;

import dev.sessionstore.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The HTTP API and the page, as WebFlux functional routes over {@link QuizService}. Request bodies
 * are JSON objects of at most {@link #MAX_BODY_BYTES}; every answer is JSON, errors as {@code
 * {"error": "..."}} (see {@link QuizErrors}). Who is logged in comes from Spring Security ({@link
 * QuizAuthentication}). Thread-safe.
 */
final class QuizHandlers {

  /** The largest request body accepted. */
  static final int MAX_BODY_BYTES = 16 * 1024;

  private final QuizService service;
  private final boolean secureCookies;
  private final byte[] indexHtml = resource("index.html");
  private final byte[] appJs = resource("app.js");
  private final byte[] styleCss = resource("style.css");

  QuizHandlers(QuizService service, boolean secureCookies) {
    this.service = service;
    this.secureCookies = secureCookies;
  }

  /**
   * @return the routes: the page, then the API; a known API path with another method answers 405
   */
  RouterFunction<ServerResponse> routes() {
    return RouterFunctions.route()
        .GET("/", request -> file(indexHtml, "text/html;charset=utf-8"))
        .GET("/index.html", request -> file(indexHtml, "text/html;charset=utf-8"))
        .GET("/app.js", request -> file(appJs, "text/javascript;charset=utf-8"))
        .GET("/style.css", request -> file(styleCss, "text/css;charset=utf-8"))
        .GET("/api/csrf", this::csrf)
        .POST("/api/login", this::login)
        .POST("/api/logout", this::logout)
        .POST(
            "/api/quiz/start",
            request -> loginSession(request).flatMap(service::start).flatMap(QuizHandlers::json))
        .POST("/api/quiz/answer", this::answer)
        .POST(
            "/api/quiz/submit",
            request -> loginSession(request).flatMap(service::submit).flatMap(QuizHandlers::json))
        .GET(
            "/api/quiz/state",
            request -> loginSession(request).flatMap(service::state).flatMap(QuizHandlers::json))
        .GET(
            "/api/results/{user}",
            request ->
                loginSession(request)
                    .flatMap(login -> service.results(login, request.pathVariable("user")))
                    .flatMap(QuizHandlers::json))
        .GET("/api/stats", request -> json(service.stats()))
        .route(
            RequestPredicates.path("/api/login")
                .or(RequestPredicates.path("/api/logout"))
                .or(RequestPredicates.path("/api/csrf"))
                .or(RequestPredicates.path("/api/stats"))
                .or(RequestPredicates.path("/api/quiz/*"))
                .or(RequestPredicates.path("/api/results/*")),
            request ->
                Mono.error(
                    new ApiException(
                        405,
                        "method "
                            + request.method().name()
                            + " is not allowed on "
                            + request.path())))
        .build();
  }

  private Mono<ServerResponse> csrf(ServerRequest request) {
    Mono<CsrfToken> token = request.exchange().getAttribute(CsrfToken.class.getName());
    if (token == null) {
      return Mono.error(new IllegalStateException("CSRF protection is not configured"));
    }
    return token.flatMap(
        t -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("header", t.getHeaderName());
          body.put("token", t.getToken());
          return json(body);
        });
  }

  private Mono<ServerResponse> login(ServerRequest request) {
    String current =
        request.cookies().getFirst(LoginSessionSecurityContextRepository.COOKIE) == null
            ? null
            : request.cookies().getFirst(LoginSessionSecurityContextRepository.COOKIE).getValue();
    return readJson(request)
        .flatMap(
            body -> service.login(body.get("user") instanceof String user ? user : null, current))
        .flatMap(
            login ->
                ServerResponse.ok()
                    .cookie(sessionCookie(request, login.sessionId(), false))
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Json.writeBytes(login.body())));
  }

  private Mono<ServerResponse> logout(ServerRequest request) {
    return loginSession(request)
        .flatMap(service::logout)
        .then(
            Mono.defer(
                () ->
                    ServerResponse.ok()
                        .cookie(sessionCookie(request, "", true))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Json.writeBytes(Map.of("loggedOut", true)))));
  }

  private Mono<ServerResponse> answer(ServerRequest request) {
    return loginSession(request)
        .flatMap(
            login ->
                readJson(request)
                    .flatMap(
                        body -> service.answer(login, body.get("question"), body.get("choice"))))
        .flatMap(QuizHandlers::json);
  }

  /** The login session of an authenticated request (Spring Security lets no other through). */
  private static Mono<Session> loginSession(ServerRequest request) {
    return request
        .principal()
        .filter(QuizAuthentication.class::isInstance)
        .map(principal -> ((QuizAuthentication) principal).login())
        .switchIfEmpty(Mono.error(QuizService::notLoggedIn));
  }

  private ResponseCookie sessionCookie(ServerRequest request, String value, boolean expire) {
    ResponseCookie.ResponseCookieBuilder cookie =
        ResponseCookie.from(LoginSessionSecurityContextRepository.COOKIE, value)
            .path("/")
            .httpOnly(true)
            .sameSite("Lax")
            .secure(secureCookies || request.exchange().getRequest().getSslInfo() != null);
    if (expire) {
      cookie.maxAge(0);
    }
    return cookie.build();
  }

  /**
   * Reads a JSON object body: 415 unless it is sent as JSON, 413 beyond the limit, 400 if
   * malformed.
   */
  static Mono<Map<String, Object>> readJson(ServerRequest request) {
    MediaType type = request.headers().contentType().orElse(null);
    if (type == null || !MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
      return Mono.error(new ApiException(415, "send the request body as application/json"));
    }
    return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class), MAX_BODY_BYTES)
        .map(
            buffer -> {
              try {
                byte[] bytes = new byte[buffer.readableByteCount()];
                buffer.read(bytes);
                return bytes;
              } finally {
                DataBufferUtils.release(buffer);
              }
            })
        .defaultIfEmpty(new byte[0])
        .map(
            bytes -> {
              if (bytes.length == 0) {
                throw new ApiException(400, "malformed JSON: the request body is empty");
              }
              return Json.parseObject(bytes);
            })
        .onErrorMap(
            DataBufferLimitException.class,
            e -> new ApiException(413, "request body over " + MAX_BODY_BYTES + " bytes"));
  }

  static Mono<ServerResponse> json(Map<String, Object> body) {
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Json.writeBytes(body));
  }

  private static Mono<ServerResponse> file(byte[] bytes, String type) {
    return ServerResponse.ok().contentType(MediaType.parseMediaType(type)).bodyValue(bytes);
  }

  private static byte[] resource(String name) {
    try (InputStream in = QuizHandlers.class.getResourceAsStream("/web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource /web/" + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
