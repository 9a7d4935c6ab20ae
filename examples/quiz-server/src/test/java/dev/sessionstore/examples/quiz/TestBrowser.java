package dev.sessionstore.examples.quiz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One browser for API tests: a cookie jar ({@code sid} and {@code XSRF-TOKEN}) over an HTTP client,
 * echoing the CSRF token in {@code X-XSRF-TOKEN} the way the page does (fetching one first when it
 * has none). {@link #send} sends a request exactly as given, for the attacks.
 */
final class TestBrowser {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private final String baseUrl;
  private volatile String sid;
  private volatile String csrfToken;

  TestBrowser(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  record Reply(int status, Map<String, Object> body, HttpHeaders headers, String raw) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map(String key) {
      return (Map<String, Object>) body.get(key);
    }

    String error() {
      return String.valueOf(body.get("error"));
    }
  }

  String sid() {
    return sid;
  }

  void useSid(String sid) {
    this.sid = sid;
  }

  String csrfToken() {
    if (csrfToken == null) {
      get("/api/csrf");
    }
    return csrfToken;
  }

  Reply get(String path) {
    return send("GET", path, null, null, Map.of());
  }

  /** A POST from the page: JSON body (or none), with the CSRF token. */
  Reply post(String path, String json) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-XSRF-TOKEN", csrfToken());
    return send(
        "POST", path, json == null ? "" : json, json == null ? null : "application/json", headers);
  }

  Reply login(String user) {
    return post("/api/login", "{\"user\":\"" + user + "\"}");
  }

  Reply answer(long question, long choice) {
    return post("/api/quiz/answer", "{\"question\":" + question + ",\"choice\":" + choice + "}");
  }

  /**
   * Sends a request with this browser's cookies and exactly the given headers.
   *
   * @param body the body, or null for none
   * @param contentType the Content-Type, or null for none
   */
  Reply send(
      String method, String path, String body, String contentType, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    StringBuilder cookies = new StringBuilder();
    if (sid != null) {
      cookies.append("sid=").append(sid);
    }
    if (csrfToken != null) {
      cookies.append(cookies.length() == 0 ? "" : "; ").append("XSRF-TOKEN=").append(csrfToken);
    }
    if (cookies.length() > 0) {
      request.header("Cookie", cookies.toString());
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<String> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String cookie : response.headers().allValues("Set-Cookie")) {
        int end = cookie.indexOf(';');
        String value = cookie.substring(cookie.indexOf('=') + 1, end < 0 ? cookie.length() : end);
        if (cookie.startsWith("sid=")) {
          sid = value.isEmpty() ? null : value;
        } else if (cookie.startsWith("XSRF-TOKEN=")) {
          csrfToken = value.isEmpty() ? null : value;
        }
      }
      String raw = response.body();
      Map<String, Object> parsed = raw.startsWith("{") ? Json.parseObject(raw) : Map.of();
      return new Reply(response.statusCode(), parsed, response.headers(), raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
