package dev.sessionstore.spring.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The workload: 8 concurrent requests of one session each set their own attribute 100 times
 * (values 1..100) while a ninth increments a counter 100 times; returns the session's attributes.
 */
final class ConcurrencyWorkload {

  static final int WRITERS = 8;
  static final int ROUNDS = 100;

  /** Threads for the servlet variant, which drives MockMvc from several threads. */
  static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "workload");
            thread.setDaemon(true);
            return thread;
          });

  private ConcurrencyWorkload() {}

  static Map<String, Object> run(WebTestClient client, String cookie, String sessionId)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        String name = "w" + w;
        tasks.add(
            pool.submit(
                () -> {
                  for (int i = 1; i <= ROUNDS; i++) {
                    client
                        .post()
                        .uri("/attr?name={n}&value={v}", name, i)
                        .cookie(cookie, sessionId)
                        .exchange()
                        .expectStatus()
                        .isOk();
                  }
                }));
      }
      tasks.add(
          pool.submit(
              () -> {
                for (int i = 1; i <= ROUNDS; i++) {
                  client
                      .post()
                      .uri("/count")
                      .cookie(cookie, sessionId)
                      .exchange()
                      .expectStatus()
                      .isOk();
                }
              }));
      for (Future<?> task : tasks) {
        task.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return client
        .get()
        .uri("/attrs")
        .cookie(cookie, sessionId)
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {})
        .returnResult()
        .getResponseBody();
  }
}
