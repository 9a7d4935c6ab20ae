package dev.sessionstore.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.spi.SessionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import reactor.core.publisher.Mono;

/**
 * The memory store next to a raw Caffeine cache and a {@link ConcurrentHashMap} holding the same
 * sessions. Store operations are measured complete ({@code .block()} on the returned Mono), so the
 * ratio to the reference is the whole price of the store: laziness, validation, expiry, locking and
 * the version bump.
 *
 * <p>Method names are {@code store_*} for the store and {@code caffeine_*} / {@code chm_*} for the
 * references; {@link Report} pairs them by name. The class is instantiated and driven by JMH only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class MemoryStoreBenchmark {

  /** Sessions created before measuring; get/save/update cycle over their ids. */
  static final int SESSIONS = 10_000;

  /** The change every update applies, in the store and in the references alike. */
  static final UnaryOperator<Session> CHANGE = s -> s.withAttribute("cartItems", 3L);

  private static final BiFunction<String, Session, Session> REMAP = (id, s) -> CHANGE.apply(s);

  SessionStore store;
  SessionStore thresholdStore;
  Cache<String, Session> caffeine;
  Cache<String, Session> timedCaffeine;
  ConcurrentHashMap<String, Session> map;
  String[] ids;
  String[] thresholdIds;
  Session[] sessions;
  String hotId;

  /** Opens the stores and fills store and references with the same sessions. */
  @Setup(Level.Trial)
  public void setUp() {
    store = SessionStores.open("memory:");
    // A deployment that refreshes lastAccessedAt at most once a minute: get is then a pure read.
    thresholdStore =
        SessionStores.open(
            StoreOptions.parse("memory:")
                .with(StoreOptions.TOUCH_THRESHOLD, Duration.ofMinutes(1)));
    caffeine = Caffeine.newBuilder().build();
    timedCaffeine = timedCaffeine();
    map = new ConcurrentHashMap<>();
    ids = new String[SESSIONS];
    thresholdIds = new String[SESSIONS];
    sessions = new Session[SESSIONS];
    for (int i = 0; i < SESSIONS; i++) {
      Session s = store.create(SessionDraft.of(Payloads.small(i))).block();
      ids[i] = s.id();
      sessions[i] = s;
      caffeine.put(s.id(), s);
      timedCaffeine.put(s.id(), s);
      map.put(s.id(), s);
      thresholdIds[i] = thresholdStore.create(SessionDraft.of(Payloads.small(i))).block().id();
    }
    hotId = ids[0];
  }

  /** Closes the stores. */
  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
    thresholdStore.close();
  }

  /** Each thread walks the ids in its own order, so two threads rarely touch the same id. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next;

    /** Starts each thread at a different place. */
    @Setup(Level.Trial)
    public void setUp() {
      next = (int) (Thread.currentThread().getId() * 7919 % SESSIONS);
    }

    int next() {
      int i = next;
      next = i + 1 == SESSIONS ? 0 : i + 1;
      return i;
    }
  }

  // ---- get ----

  /**
   * @return the session read through the store (refreshes lastAccessedAt: touch threshold 0)
   */
  @Benchmark
  public Session store_get(Cursor c) {
    return store.get(ids[c.next()]).block();
  }

  /**
   * @return the session read through a store whose touch threshold is one minute
   */
  @Benchmark
  public Session store_get_touchThreshold1m(Cursor c) {
    return thresholdStore.get(thresholdIds[c.next()]).block();
  }

  /**
   * @return the session read from raw Caffeine
   */
  @Benchmark
  public Session caffeine_getIfPresent(Cursor c) {
    return caffeine.getIfPresent(ids[c.next()]);
  }

  /**
   * The floor any store behind this reactive API has: the same Caffeine lookup, made lazy in {@code
   * Mono.fromCallable} and awaited with {@code block()}, as every store benchmark is.
   *
   * @return the session read from raw Caffeine through a Mono
   */
  @Benchmark
  public Session caffeine_getIfPresent_mono(Cursor c) {
    String id = ids[c.next()];
    return Mono.fromCallable(() -> caffeine.getIfPresent(id)).block();
  }

  /**
   * @return the session read from a ConcurrentHashMap
   */
  @Benchmark
  public Session chm_get(Cursor c) {
    return map.get(ids[c.next()]);
  }

  // ---- save ----

  /**
   * @return the saved session (upsert, last writer wins)
   */
  @Benchmark
  public Session store_save(Cursor c) {
    return store.save(sessions[c.next()]).block();
  }

  /**
   * @return the previous value, from raw Caffeine
   */
  @Benchmark
  public Session caffeine_put(Cursor c) {
    int i = c.next();
    caffeine.put(ids[i], sessions[i]);
    return sessions[i];
  }

  /**
   * @return the previous value, from a ConcurrentHashMap
   */
  @Benchmark
  public Session chm_put(Cursor c) {
    int i = c.next();
    return map.put(ids[i], sessions[i]);
  }

  // ---- update, uncontended ----

  /**
   * @return the updated session
   */
  @Benchmark
  public Session store_update(Cursor c) {
    return store.update(ids[c.next()], CHANGE).block();
  }

  /**
   * @return the remapped session, from raw Caffeine
   */
  @Benchmark
  public Session caffeine_compute(Cursor c) {
    return caffeine.asMap().compute(ids[c.next()], REMAP);
  }

  /**
   * A Caffeine cache set up the way the memory store set up its own until it kept expiry in coarse
   * buckets instead: a per-entry expiry computed from each session's {@code expiresAt} on every
   * write, and maintenance (buffer draining, timer wheel) run on the writing thread. It shows what
   * that per-entry expiry alone costs. (Measured once with maintenance on the common pool instead:
   * no faster.)
   */
  static Cache<String, Session> timedCaffeine() {
    return Caffeine.newBuilder()
        .executor(Runnable::run)
        .expireAfter(
            new Expiry<String, Session>() {
              @Override
              public long expireAfterCreate(String id, Session s, long now) {
                return untilExpiry(s);
              }

              @Override
              public long expireAfterUpdate(String id, Session s, long now, long remaining) {
                return untilExpiry(s);
              }

              @Override
              public long expireAfterRead(String id, Session s, long now, long remaining) {
                return remaining;
              }
            })
        .build();
  }

  private static long untilExpiry(Session s) {
    Instant end = s.expiresAt();
    return end == null
        ? Long.MAX_VALUE
        : Math.max(0, Duration.between(Instant.now(), end).toNanos());
  }

  /**
   * @return the remapped session, from a Caffeine with per-entry expiry ({@link #timedCaffeine}),
   *     through a Mono
   */
  @Benchmark
  public Session caffeineTimed_compute_mono(Cursor c) {
    String id = ids[c.next()];
    return Mono.fromCallable(() -> timedCaffeine.asMap().compute(id, REMAP)).block();
  }

  /**
   * @return the remapped session; two threads compute on the same key of a Caffeine with per-entry
   *     expiry, each through a Mono
   */
  @Benchmark
  @Threads(2)
  public Session caffeineTimed_compute_mono_contended() {
    return Mono.fromCallable(() -> timedCaffeine.asMap().compute(hotId, REMAP)).block();
  }

  /**
   * @return the remapped session, from raw Caffeine through a Mono (the reactive API's floor)
   */
  @Benchmark
  public Session caffeine_compute_mono(Cursor c) {
    String id = ids[c.next()];
    return Mono.fromCallable(() -> caffeine.asMap().compute(id, REMAP)).block();
  }

  /**
   * @return the remapped session, from a ConcurrentHashMap
   */
  @Benchmark
  public Session chm_compute(Cursor c) {
    return map.compute(ids[c.next()], REMAP);
  }

  // ---- update, two threads on one id ----

  /**
   * @return the updated session; two threads update the same id
   */
  @Benchmark
  @Threads(2)
  public Session store_update_contended() {
    return store.update(hotId, CHANGE).block();
  }

  /**
   * @return the remapped session; two threads compute on the same key of raw Caffeine
   */
  @Benchmark
  @Threads(2)
  public Session caffeine_compute_contended() {
    return caffeine.asMap().compute(hotId, REMAP);
  }

  /**
   * @return the remapped session; two threads compute on the same key of raw Caffeine, each through
   *     a Mono (the reactive API's floor for a locked write)
   */
  @Benchmark
  @Threads(2)
  public Session caffeine_compute_mono_contended() {
    return Mono.fromCallable(() -> caffeine.asMap().compute(hotId, REMAP)).block();
  }

  /**
   * @return the remapped session; two threads compute on the same key of a ConcurrentHashMap
   */
  @Benchmark
  @Threads(2)
  public Session chm_compute_contended() {
    return map.compute(hotId, REMAP);
  }

  // ---- create ----

  /**
   * A fresh store and fresh references for every iteration, so that creating millions of sessions
   * does not accumulate across iterations. The references generate their ids with the store's
   * default generator (256 bits from SecureRandom) and build the session from the same draft.
   */
  @State(Scope.Benchmark)
  public static class Creation {
    static final SessionDraft DRAFT = SessionDraft.of(Payloads.small(42));
    static final Duration MAX_IDLE = Duration.ofMinutes(30);

    SessionStore store;
    Cache<String, Session> caffeine;
    ConcurrentHashMap<String, Session> map;
    final SessionIdGenerator ids = SessionIdGenerator.secureRandom();
    final InstantSource clock = InstantSource.system();

    /** Opens an empty store and empty references. */
    @Setup(Level.Iteration)
    public void setUp() {
      // The default limit (maxSessions=100000, REJECT) would stop an iteration after 100,000
      // creates; the benchmark measures creating, not the limit.
      store = SessionStores.open("memory:?maxSessions=100000000");
      caffeine = Caffeine.newBuilder().build();
      map = new ConcurrentHashMap<>();
    }

    /** Drops everything created in the iteration. */
    @TearDown(Level.Iteration)
    public void tearDown() {
      store.close();
      store = null;
      caffeine = null;
      map = null;
      System.gc();
    }

    Session newSession() {
      String id = ids.generate();
      return SessionPolicy.newSession(DRAFT, id, clock.instant(), MAX_IDLE);
    }
  }

  /**
   * @return a new session from the store
   */
  @Benchmark
  public Session store_create(Creation c) {
    return c.store.create(Creation.DRAFT).block();
  }

  /**
   * @return null unless the random id collided; raw Caffeine insert-if-absent of a new session
   */
  @Benchmark
  public Session caffeine_create(Creation c) {
    Session s = c.newSession();
    return c.caffeine.asMap().putIfAbsent(s.id(), s);
  }

  /**
   * @return null unless the random id collided; ConcurrentHashMap insert-if-absent of a new session
   */
  @Benchmark
  public Session chm_create(Creation c) {
    Session s = c.newSession();
    return c.map.putIfAbsent(s.id(), s);
  }
}
