package dev.sessionstore.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

class PerIdQueueTest {

  private final PerIdQueue queue = new PerIdQueue();

  @Test
  void runsWritesOfOneIdOneAtATimeAndOthersAlongside() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Mono<Integer>> writes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int n = i;
      writes.add(
          queue.run(
              "same",
              () ->
                  Mono.fromCallable(
                          () -> {
                            most.accumulateAndGet(running.incrementAndGet(), Math::max);
                            return n;
                          })
                      .delayElement(Duration.ofMillis(1), Schedulers.parallel())
                      .doOnNext(x -> running.decrementAndGet())));
    }
    Mono<Integer> other = queue.run("other", () -> Mono.just(-1));
    List<Integer> done = Flux.merge(writes).collectList().block(Duration.ofSeconds(20));
    assertThat(done).hasSize(200);
    assertThat(most.get()).as("writes of one id running at once").isEqualTo(1);
    assertThat(other.block(Duration.ofSeconds(1))).isEqualTo(-1);
    assertThat(awaitEmpty()).as("ids left queued").isZero();
  }

  /** doFinally releases an id just after the result reached the subscriber: allow it a moment. */
  private int awaitEmpty() {
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (queue.size() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    return queue.size();
  }

  @Test
  void aCancelledOrFailedWriteReleasesTheNext() {
    Mono<Object> stuck = queue.run("id", Mono::never);
    stuck.timeout(Duration.ofMillis(20)).onErrorResume(e -> Mono.empty()).block();
    Mono<Object> failing = queue.run("id", () -> Mono.error(new IllegalStateException("boom")));
    failing.onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(1));
    assertThat(queue.run("id", () -> Mono.just("next")).block(Duration.ofSeconds(1)))
        .isEqualTo("next");
    assertThat(awaitEmpty()).isZero();
  }
}
