package dev.sessionstore.examples.quiz;

import dev.sessionstore.StoreFullException;
import dev.sessionstore.StoreUnavailableException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * Turns every failure of a request into a JSON answer {@code {"error": "..."}} with the right
 * status: the API's own refusals as they are, a full or unavailable store (or one that does not
 * answer in time) as 503 with {@code Retry-After}, anything unexpected as a logged 500 that says
 * nothing more. Thread-safe.
 */
final class QuizErrors implements WebExceptionHandler {

  private static final System.Logger LOG = System.getLogger(QuizErrors.class.getName());

  /** Seconds a client should wait before retrying when the store is full or unavailable. */
  static final String RETRY_AFTER_SECONDS = "5";

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable thrown) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      return Mono.error(thrown);
    }
    Throwable error = Exceptions.unwrap(thrown);
    int status;
    String message;
    boolean retryLater = false;
    if (error instanceof ApiException api) {
      status = api.status();
      message = api.getMessage();
    } else if (error instanceof StoreFullException) {
      status = 503;
      message = "the session store is full; try again later";
      retryLater = true;
    } else if (error instanceof StoreUnavailableException || error instanceof TimeoutException) {
      status = 503;
      message = "the session store is unavailable; try again later";
      retryLater = true;
    } else if (error instanceof DataBufferLimitException) {
      status = 413;
      message = "request body over " + QuizHandlers.MAX_BODY_BYTES + " bytes";
    } else if (error instanceof ResponseStatusException rse) {
      status = rse.getStatusCode().value();
      message =
          status == 404
              ? "no such endpoint: "
                  + exchange.getRequest().getMethod().name()
                  + " "
                  + exchange.getRequest().getPath().value()
              : rse.getReason() != null
                  ? rse.getReason()
                  : HttpStatus.valueOf(status).getReasonPhrase();
    } else if (error instanceof IllegalArgumentException) {
      status = 400;
      message = String.valueOf(error.getMessage());
    } else {
      status = 500;
      message = "internal error";
      LOG.log(
          System.Logger.Level.ERROR,
          exchange.getRequest().getMethod().name()
              + " "
              + exchange.getRequest().getPath().value()
              + " failed",
          error);
    }
    if (retryLater) {
      response.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    return write(exchange, status, message);
  }

  /**
   * Answers a request with an error.
   *
   * @param exchange the request
   * @param status the HTTP status
   * @param message what the client is told
   * @return completion of the write
   */
  static Mono<Void> write(ServerWebExchange exchange, int status, String message) {
    ServerHttpResponse response = exchange.getResponse();
    response.setStatusCode(HttpStatusCode.valueOf(status));
    HttpHeaders headers = response.getHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    headers.setCacheControl("no-store");
    return response.writeWith(
        Mono.fromSupplier(
            () -> response.bufferFactory().wrap(Json.writeBytes(Map.of("error", message)))));
  }
}
