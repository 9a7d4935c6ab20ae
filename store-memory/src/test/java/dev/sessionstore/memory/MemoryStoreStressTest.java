package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Concurrency claims, proved with counts. The test clock is frozen unless a test moves it, so
 * nothing expires by accident.
 */
class MemoryStoreStressTest {

  private final TestStores stores = new TestStores();
  private final TestClock clock = stores.clock;

  @AfterEach
  void closeStores() {
    stores.close();
  }

  private MemorySessionStore open(String uri) {
    return stores.open(uri);
  }

  /**
   * The quiz-platform race: a server-side timer ticks the session while the browser's answers
   * arrive on other threads. With a read-then-write store about half of such writes are lost; with
   * {@code update} none may be.
   */
  @Test
  void aTimerAndEightWritersOnOneSessionLoseNoUpdate() throws Exception {
    MemorySessionStore store = open("memory:");
    String id =
        store
            .create(
                SessionDraft.empty()
                    .withMaxIdle(Duration.ofHours(1))
                    .withData(dev.sessionstore.SessionData.of(Map.of("ticks", 0L))))
            .block()
            .id();
    int writers = 8;
    int answersPerWriter = 1_250;
    AtomicLong ticks = new AtomicLong();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      ScheduledFuture<?> ticking =
          timer.scheduleAtFixedRate(
              () -> {
                store
                    .update(id, s -> s.withAttribute("ticks", (Long) s.attribute("ticks") + 1))
                    .block();
                ticks.incrementAndGet();
              },
              0,
              1,
              TimeUnit.MILLISECONDS);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String key = "answers-" + w;
        String prefix = "w" + w + "-q";
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int q = 0; q < answersPerWriter; q++) {
                    String answer = prefix + q;
                    store
                        .update(
                            id,
                            s -> {
                              @SuppressWarnings("unchecked")
                              List<Object> old = (List<Object>) s.attribute(key);
                              List<Object> answers =
                                  old == null ? new ArrayList<>() : new ArrayList<>(old);
                              answers.add(answer);
                              return s.withAttribute(key, answers);
                            })
                        .block();
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      ticking.cancel(false);
      timer.shutdown();
      assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

      Session last = store.get(id).block();
      long answerUpdates = (long) writers * answersPerWriter;
      long tickUpdates = ticks.get();
      System.out.printf(
          "quiz race: %d answer updates by %d writers + %d timer ticks = %d updates; version %d%n",
          answerUpdates, writers, tickUpdates, answerUpdates + tickUpdates, last.version());
      assertThat(answerUpdates + tickUpdates).as("updates in all").isGreaterThanOrEqualTo(10_000L);
      assertThat(tickUpdates).as("timer ticks interleaved with the writers").isPositive();
      for (int w = 0; w < writers; w++) {
        List<String> expected = new ArrayList<>();
        for (int q = 0; q < answersPerWriter; q++) {
          expected.add("w" + w + "-q" + q);
        }
        assertThat(last.attribute("answers-" + w))
            .as("answers of writer %d, in order", w)
            .isEqualTo(expected);
      }
      assertThat(last.attribute("ticks")).as("ticks counted in the session").isEqualTo(tickUpdates);
      assertThat(last.version())
          .as("version: 1 + every update")
          .isEqualTo(1 + answerUpdates + tickUpdates);
    } finally {
      timer.shutdownNow();
      pool.shutdownNow();
    }
  }

  /**
   * 16 threads, random operations over 1,000 ids. Checks: each thread sees every id's version never
   * go back and every write raise it; the versions written to an id are distinct and contiguous (no
   * two writes built on the same state, none lost); an id destroyed before an operation started is
   * never read or written back; at the end count and all() are exactly the live ids.
   */
  @Test
  void sixteenThreadsOfRandomOperationsOverAThousandIdsKeepTheInvariants() throws Exception {
    MemorySessionStore store = open("memory:?maxSessions=1000000");
    int idCount = 1_000;
    int threads = 16;
    int opsPerThread = 2_500;
    AtomicReferenceArray<String> slots = new AtomicReferenceArray<>(idCount);
    Map<String, ConcurrentLinkedQueue<Long>> written = new ConcurrentHashMap<>();
    Map<String, Long> destroyedAt = new ConcurrentHashMap<>();
    Set<String> extras = ConcurrentHashMap.newKeySet();
    Set<String> endingStarted = ConcurrentHashMap.newKeySet(); // destroy or regenerate was called
    AtomicLong sequence = new AtomicLong();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    String[] names = {
      "create", "get", "save", "update", "touch", "destroy", "regenerate", "saveIfUnchanged"
    };
    AtomicLongArray succeeded = new AtomicLongArray(names.length);
    for (int i = 0; i < idCount; i++) {
      Session s = store.create(SessionDraft.empty().withMaxIdle(Duration.ofHours(1))).block();
      slots.set(i, s.id());
      written.computeIfAbsent(s.id(), k -> new ConcurrentLinkedQueue<>()).add(s.version());
    }

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = 42L + t;
      done.add(
          pool.submit(
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                Map<String, Long> lastSeen = new HashMap<>();
                start.await();
                for (int n = 0; n < opsPerThread; n++) {
                  int slot = random.nextInt(idCount);
                  String id = slots.get(slot);
                  long begun = sequence.get();
                  int op = random.nextInt(names.length);
                  Checker check =
                      new Checker(id, begun, lastSeen, destroyedAt, violations, written);
                  switch (op) {
                    case 0 -> {
                      Session c =
                          store
                              .create(SessionDraft.empty().withMaxIdle(Duration.ofHours(1)))
                              .block();
                      extras.add(c.id());
                      written
                          .computeIfAbsent(c.id(), k -> new ConcurrentLinkedQueue<>())
                          .add(c.version());
                      succeeded.incrementAndGet(op);
                    }
                    case 1, 4 -> {
                      Session s = (op == 1 ? store.get(id) : store.touch(id)).block();
                      if (s != null) {
                        check.read(s);
                        succeeded.incrementAndGet(op);
                      }
                    }
                    case 2, 7 -> {
                      Session s = store.get(id).block();
                      if (s == null) {
                        break;
                      }
                      check.read(s);
                      Session changed = s.withAttribute("by", seed * 1_000_000 + n);
                      try {
                        check.write(
                            op == 2
                                ? store.save(changed).block()
                                : store.saveIfUnchanged(changed).block());
                        succeeded.incrementAndGet(op);
                      } catch (SessionDestroyedException e) {
                        if (!endingStarted.contains(id)) {
                          violations.add("SessionDestroyedException for an id never destroyed");
                        }
                      } catch (StaleSessionException e) {
                        if (op == 2) {
                          violations.add("save failed as stale: " + e.getMessage());
                        }
                      }
                    }
                    case 3 -> {
                      Session s =
                          store
                              .update(
                                  id,
                                  x ->
                                      x.withAttribute(
                                          "count",
                                          x.attribute("count") == null
                                              ? 1L
                                              : (Long) x.attribute("count") + 1))
                              .block();
                      if (s != null) {
                        check.write(s);
                        succeeded.incrementAndGet(op);
                      }
                    }
                    case 5 -> {
                      endingStarted.add(id);
                      if (Boolean.TRUE.equals(store.destroy(id).block())) {
                        destroyedAt.put(id, sequence.incrementAndGet());
                        Session c =
                            store
                                .create(SessionDraft.empty().withMaxIdle(Duration.ofHours(1)))
                                .block();
                        written
                            .computeIfAbsent(c.id(), k -> new ConcurrentLinkedQueue<>())
                            .add(c.version());
                        if (!slots.compareAndSet(slot, id, c.id())) {
                          violations.add("two operations both ended the same id");
                        }
                        succeeded.incrementAndGet(op);
                      }
                    }
                    case 6 -> {
                      endingStarted.add(id);
                      Session moved = store.regenerate(id).block();
                      if (moved != null) {
                        destroyedAt.put(id, sequence.incrementAndGet());
                        Long seen = lastSeen.get(id);
                        if (seen != null && moved.version() <= seen) {
                          violations.add("regenerate did not raise the version");
                        }
                        written
                            .computeIfAbsent(moved.id(), k -> new ConcurrentLinkedQueue<>())
                            .add(moved.version());
                        lastSeen.put(moved.id(), moved.version());
                        if (!slots.compareAndSet(slot, id, moved.id())) {
                          violations.add("two operations both ended the same id");
                        }
                        succeeded.incrementAndGet(op);
                      }
                    }
                    default -> throw new IllegalStateException();
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();

    StringBuilder counts = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      counts.append(names[i]).append('=').append(succeeded.get(i)).append(' ');
    }
    System.out.printf(
        "random operations: %d threads x %d ops over %d ids; successful: %s; destroyed ids: %d%n",
        threads, opsPerThread, idCount, counts, destroyedAt.size());
    assertThat(violations).as("invariant violations").isEmpty();

    Set<String> live = new HashSet<>(extras);
    for (int i = 0; i < idCount; i++) {
      live.add(slots.get(i));
    }
    assertThat(store.count().block())
        .as("count() against the live ids")
        .isEqualTo((long) live.size());
    assertThat(store.all().map(Session::id).collect(Collectors.toSet()).block()).isEqualTo(live);
    for (String id : live) {
      List<Long> versions = new ArrayList<>(written.get(id));
      long min = versions.stream().mapToLong(Long::longValue).min().orElseThrow();
      long max = versions.stream().mapToLong(Long::longValue).max().orElseThrow();
      assertThat(new HashSet<>(versions))
          .as("distinct versions written to one id")
          .hasSize(versions.size());
      assertThat(max - min + 1)
          .as("versions written to one id are contiguous")
          .isEqualTo(versions.size());
      assertThat(store.get(id).block().version())
          .as("stored version is the last one written")
          .isEqualTo(max);
    }
    for (String id : destroyedAt.keySet()) {
      assertThat(store.get(id).block()).as("get of a destroyed id").isNull();
      Session zombie = Session.builder(id).maxIdle(Duration.ofHours(1)).build();
      try {
        store.save(zombie).block();
        throw new AssertionError("save of a destroyed id succeeded");
      } catch (SessionDestroyedException expected) {
        // a tombstone keeps it dead
      }
    }
    assertThat(succeeded.get(3)).as("successful updates").isGreaterThan(1_000L);
    assertThat(destroyedAt).as("destroyed or regenerated ids").hasSizeGreaterThan(1_000);
  }

  /** Per-thread checks of what one operation observed. */
  private record Checker(
      String id,
      long begun,
      Map<String, Long> lastSeen,
      Map<String, Long> destroyedAt,
      ConcurrentLinkedQueue<String> violations,
      Map<String, ConcurrentLinkedQueue<Long>> written) {

    void read(Session s) {
      notResurrected();
      Long seen = lastSeen.get(id);
      if (seen != null && s.version() < seen) {
        violations.add("version went back from " + seen + " to " + s.version());
      }
      lastSeen.put(id, s.version());
    }

    void write(Session s) {
      notResurrected();
      Long seen = lastSeen.get(id);
      if (seen != null && s.version() <= seen) {
        violations.add("a write returned version " + s.version() + " after " + seen + " was seen");
      }
      lastSeen.put(id, s.version());
      written.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>()).add(s.version());
    }

    private void notResurrected() {
      Long destroyed = destroyedAt.get(id);
      if (destroyed != null && destroyed <= begun) {
        violations.add("an id destroyed before the operation began came back");
      }
    }
  }

  /**
   * Expiry, destroy, cleanup and reads race while the clock moves: every session ends exactly once,
   * with EXPIRED or (if and only if destroy said so) DESTROYED, never both.
   */
  @Test
  void expiryRacingWithDestroyEndsEverySessionExactlyOnce() throws Exception {
    MemorySessionStore store = open("memory:?eventBuffer=100000");
    ConcurrentLinkedQueue<SessionEvent> events = new ConcurrentLinkedQueue<>();
    Disposable subscription = store.events().subscribe(events::add);
    int sessions = 2_000;
    List<String> ids = new ArrayList<>();
    List<List<Session>> targets = List.of(new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < sessions; i++) {
      Session s =
          store.create(SessionDraft.empty().withMaxIdle(Duration.ofMillis(1 + i / 2))).block();
      ids.add(s.id());
      if (i % 2 == 0) {
        targets
            .get(i / 2 % 2)
            .add(s); // even ones are destroyed right at their expiry; odd ones expire
      }
    }
    Set<String> destroyedByCall = ConcurrentHashMap.newKeySet();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> workers = new ArrayList<>();
      AtomicLongArray nextAim = new AtomicLongArray(targets.size()); // lets the clock wait a little
      for (int k = 0; k < targets.size(); k++) {
        List<Session> mine = targets.get(k);
        int me = k;
        workers.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(mine.size());
                  for (Session s : mine) {
                    Instant aim = s.expiresAt().minusMillis(1);
                    nextAim.set(me, aim.toEpochMilli());
                    while (running.get() && clock.instant().isBefore(aim)) {
                      Thread.yield();
                    }
                    if (Boolean.TRUE.equals(store.destroy(s.id()).block())) {
                      destroyedByCall.add(s.id());
                    }
                    store.get(ids.get(random.nextInt(sessions))).block();
                  }
                  nextAim.set(me, Long.MAX_VALUE);
                  return null;
                }));
      }
      workers.add(
          pool.submit(
              () -> {
                while (running.get()) {
                  store.cleanup().block();
                  store.count().block();
                }
                return null;
              }));
      for (int step = 0; step < 1_200; step++) {
        long now = clock.advance(Duration.ofMillis(1)).toEpochMilli();
        for (int spin = 0; spin < 200 && Math.min(nextAim.get(0), nextAim.get(1)) < now; spin++) {
          Thread.yield();
        }
      }
      running.set(false);
      for (Future<?> f : workers) {
        f.get(30, TimeUnit.SECONDS);
      }
      clock.advance(Duration.ofHours(1));
      store.cleanup().block();

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (countEndings(events) < sessions && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      assertThat(store.droppedEvents()).as("dropped events").isZero();
      Map<String, List<SessionEvent.Type>> endings = new HashMap<>();
      for (SessionEvent e : events) {
        if (e.type() == SessionEvent.Type.EXPIRED || e.type() == SessionEvent.Type.DESTROYED) {
          endings.computeIfAbsent(e.sessionId(), k -> new ArrayList<>()).add(e.type());
        }
      }
      long expired = 0;
      for (String id : ids) {
        List<SessionEvent.Type> ofId = endings.getOrDefault(id, List.of());
        assertThat(ofId).as("endings of one session").hasSize(1);
        SessionEvent.Type expectedType =
            destroyedByCall.contains(id) ? SessionEvent.Type.DESTROYED : SessionEvent.Type.EXPIRED;
        assertThat(ofId.get(0)).as("how a session ended").isEqualTo(expectedType);
        expired += expectedType == SessionEvent.Type.EXPIRED ? 1 : 0;
      }
      System.out.printf(
          "expiry race: %d sessions, %d destroyed by destroy, %d expired, each ended once%n",
          sessions, destroyedByCall.size(), expired);
      assertThat(destroyedByCall)
          .as("sessions destroyed before they expired")
          .isNotEmpty()
          .hasSizeLessThan(sessions / 2);
      assertThat(expired).as("sessions that expired").isGreaterThanOrEqualTo(sessions / 2);
      assertThat(store.count().block()).isZero();
    } finally {
      running.set(false);
      subscription.dispose();
      pool.shutdownNow();
    }
  }

  private static long countEndings(ConcurrentLinkedQueue<SessionEvent> events) {
    return events.stream()
        .filter(
            e -> e.type() == SessionEvent.Type.EXPIRED || e.type() == SessionEvent.Type.DESTROYED)
        .count();
  }
}
