package dev.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.spi.SessionEventPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

class SessionEventPublisherTest {

  private static SessionEvent event(int n) {
    Session s = Session.builder("id" + n).build();
    return new SessionEvent(SessionEvent.Type.UPDATED, s.id(), s, Instant.EPOCH);
  }

  @Test
  void deliversInOrderToEverySubscriber() {
    try (SessionEventPublisher publisher = new SessionEventPublisher(64)) {
      List<String> a = new CopyOnWriteArrayList<>();
      List<String> b = new CopyOnWriteArrayList<>();
      Disposable da = publisher.events().subscribe(e -> a.add(e.sessionId()));
      Disposable db = publisher.events().subscribe(e -> b.add(e.sessionId()));
      for (int i = 0; i < 50; i++) {
        publisher.publish(event(i));
      }
      awaitSize(a, 50);
      awaitSize(b, 50);
      for (int i = 0; i < 50; i++) {
        assertThat(a.get(i)).isEqualTo("id" + i);
        assertThat(b.get(i)).isEqualTo("id" + i);
      }
      assertThat(publisher.dropped()).isZero();
      da.dispose();
      db.dispose();
    }
  }

  @Test
  void aStuckSubscriberNeverBlocksThePublisherAndDropsAreCounted() throws InterruptedException {
    try (SessionEventPublisher publisher = new SessionEventPublisher(8)) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch firstSeen = new CountDownLatch(1);
      Disposable stuck =
          publisher
              .events()
              .subscribe(
                  e -> {
                    firstSeen.countDown();
                    try {
                      release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                      Thread.currentThread().interrupt();
                    }
                  });
      publisher.publish(event(0));
      assertThat(firstSeen.await(5, TimeUnit.SECONDS)).isTrue();
      long start = System.nanoTime();
      for (int i = 1; i <= 10_000; i++) {
        publisher.publish(event(i));
      }
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(tookMillis)
          .as("publishing 10,000 events past a stuck subscriber")
          .isLessThan(5_000);
      // buffer 8 + publishOn prefetch 32 hold at most 40 of the 10,000
      assertThat(publisher.dropped()).isBetween(10_000L - 64, 10_000L);
      release.countDown();
      stuck.dispose();
    }
  }

  @Test
  void closeCompletesSubscribersAndLaterSubscribersGetNothing() {
    SessionEventPublisher publisher = new SessionEventPublisher();
    StepVerifier.create(publisher.events())
        .then(publisher::close)
        .expectComplete()
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(publisher.events()).expectComplete().verify(Duration.ofSeconds(5));
    assertThat(publisher.hasSubscribers()).isFalse();
  }

  @Test
  void concurrentPublishersLoseNothingAndKeepEachPublishersOrder() throws Exception {
    int threads = 8;
    int perThread = 5_000;
    try (SessionEventPublisher publisher = new SessionEventPublisher(threads * perThread)) {
      java.util.concurrent.ConcurrentHashMap<String, Long> last =
          new java.util.concurrent.ConcurrentHashMap<>();
      java.util.concurrent.atomic.AtomicInteger received =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger outOfOrder =
          new java.util.concurrent.atomic.AtomicInteger();
      Disposable subscription =
          publisher
              .events()
              .subscribe(
                  e -> {
                    long previous = last.getOrDefault(e.sessionId(), 0L);
                    if (e.session().version() != previous + 1) {
                      outOfOrder.incrementAndGet();
                    }
                    last.put(e.sessionId(), e.session().version());
                    received.incrementAndGet();
                  });
      Thread[] writers = new Thread[threads];
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < threads; t++) {
        Session s = Session.builder("w" + t).build();
        writers[t] =
            new Thread(
                () -> {
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                  for (int i = 1; i <= perThread; i++) {
                    publisher.publish(
                        new SessionEvent(
                            SessionEvent.Type.UPDATED,
                            s.id(),
                            s.toBuilder().version(i).build(),
                            Instant.EPOCH));
                  }
                });
        writers[t].start();
      }
      start.countDown();
      for (Thread w : writers) {
        w.join();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (received.get() < threads * perThread && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(received.get())
          .as("events received of %d", threads * perThread)
          .isEqualTo(threads * perThread);
      assertThat(outOfOrder.get()).as("events out of their publisher's order").isZero();
      assertThat(publisher.dropped()).isZero();
      subscription.dispose();
    }
  }

  private static void awaitSize(List<String> list, int size) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(list).hasSize(size);
  }
}
