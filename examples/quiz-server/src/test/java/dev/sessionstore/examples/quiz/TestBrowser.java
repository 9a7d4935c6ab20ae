package dev.sessionstore.examples.quiz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** One browser for API tests: a cookie jar of one {@code sid} cookie over an HTTP client. */
final class TestBrowser {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final String baseUrl;
  private volatile String sid;

  TestBrowser(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  record Reply(int status, Map<String, Object> body, HttpHeaders headers, String raw) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map(String key) {
      return (Map<String, Object>) body.get(key);
    }
  }

  String sid() {
    return sid;
  }

  void useSid(String sid) {
    this.sid = sid;
  }

  Reply get(String path) {
    return send("GET", path, null);
  }

  Reply post(String path, String json) {
    return send("POST", path, json == null ? "" : json);
  }

  Reply login(String user) {
    return post("/api/login", "{\"user\":\"" + user + "\"}");
  }

  Reply answer(long question, long choice) {
    return post("/api/quiz/answer", "{\"question\":" + question + ",\"choice\":" + choice + "}");
  }

  private Reply send(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (sid != null) {
      request.header("Cookie", "sid=" + sid);
    }
    try {
      HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String cookie : response.headers().allValues("Set-Cookie")) {
        if (cookie.startsWith("sid=")) {
          String value = cookie.substring(4, cookie.indexOf(';'));
          sid = value.isEmpty() ? null : value;
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
