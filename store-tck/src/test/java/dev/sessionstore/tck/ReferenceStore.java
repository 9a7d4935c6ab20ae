package dev.sessionstore.tck;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStoreException;
import dev.sessionstore.SessionTooLargeException;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.StoreCapabilities;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreUnavailableException;
import dev.sessionstore.spi.SessionEventPublisher;
import dev.sessionstore.spi.SessionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A deliberately simple, correct store for testing the kit itself: one global lock over hash maps,
 * correctness over speed. It can be opened with {@link Flaw flaws}, each a small, deliberate bug
 * that a specific rule of the kit must catch.
 */
final class ReferenceStore implements SessionStore {

  /** Deliberate bugs, each named for what it breaks; the kit must fail the rule in the comment. */
  enum Flaw {
    /** R1.1: create overwrites a session whose id the generator repeats. */
    OVERWRITES_ON_COLLISION("R1.1"),
    /** R1.2: short counter ids instead of the configured generator. */
    WEAK_IDS("R1.2"),
    /** R1.3: get and touch throw on a malformed id. */
    MALFORMED_ID_THROWS("R1.3"),
    /** R1.4: regenerate leaves the old id alive. */
    REGENERATE_KEEPS_OLD_ID("R1.4"),
    /** R2.1: save merges the new data into the stored data. */
    MERGES_ON_SAVE("R2.1"),
    /** R2.3: saveIfUnchanged ignores the version. */
    IGNORES_VERSION("R2.3"),
    /** R2.4: update reads, lets go of the lock, then writes: last writer wins. */
    LOST_UPDATES("R2.4"),
    /** R2.5: update of an absent id creates it. */
    UPDATE_OF_ABSENT_CREATES("R2.5"),
    /** R2.6: operations run when called, not when subscribed (and only once). */
    EAGER("R2.6"),
    /** R2.7: every operation sleeps a millisecond, like a blocking driver. */
    BLOCKING("R2.7"),
    /** R3.1: count includes destroyed sessions. */
    COUNTS_DESTROYED("R3.1"),
    /** R3.2: save ignores tombstones and resurrects destroyed ids. */
    RESURRECTS("R3.2"),
    /** R3.3: clear removes sessions without leaving tombstones. */
    CLEAR_WITHOUT_TOMBSTONES("R3.3"),
    /** R3.4: cleanup never removes tombstones. */
    CLEANUP_KEEPS_TOMBSTONES("R3.4"),
    /** R4.1: the deadline is ignored; only the idle limit counts. */
    IGNORES_DEADLINE("R4.1"),
    /** R4.2: reads return expired sessions. */
    RETURNS_EXPIRED("R4.2"),
    /** R4.3: touch refreshes an expired session and so revives it. */
    TOUCH_REVIVES("R4.3"),
    /** R4.4: writes keep the expiry stored at creation. */
    IGNORES_NEW_EXPIRY("R4.4"),
    /** R4.5: cleanup emits EXPIRED but keeps the session, so every cleanup emits it again. */
    EXPIRED_EVERY_CLEANUP("R4.5"),
    /** R5.1: findByPrincipal matches principals without regard to case. */
    PRINCIPAL_IGNORES_CASE("R5.1"),
    /** R5.2: the exclusive check and the write are not atomic. */
    DOUBLE_CLAIM("R5.2"),
    /** R5.3: an expired holder keeps its exclusive claim until cleanup. */
    EXPIRED_KEEPS_CLAIM("R5.3"),
    /** R6.1: numbers go through a double, so large longs lose precision. */
    LONGS_AS_DOUBLES("R6.1"),
    /** R6.2: '.' in keys is escaped as "\\u002e" and unescaped blindly. */
    MANGLES_KEYS("R6.2"),
    /** R6.3: no size limit. */
    NO_SIZE_LIMIT("R6.3"),
    /** R7.1: update emits no UPDATED event. */
    NO_UPDATE_EVENTS("R7.1"),
    /** R8.1: operations hang while the backend is cut. */
    HANGS_WHEN_CUT("R8.1"),
    /** R8.2: a failure drops the session written last (like a lost write-behind buffer). */
    LOSES_ACKED_WRITES("R8.2"),
    /** R8.3: the store keeps working after close. */
    WORKS_AFTER_CLOSE("R8.3"),
    /**
     * R8.4: all, count, findByPrincipal and cleanup fail on the first record they cannot decode.
     */
    CORRUPT_RECORD_BREAKS_SCANS("R8.4"),
    /**
     * R9.1: an option the store has no use for (timeout) is never read, so a bad value goes
     * unnoticed.
     */
    ACCEPTS_BAD_OPTIONS("R9.1"),
    /** R9.2: with a positive touchThreshold, a read within it trusts the session to be live. */
    THRESHOLD_SKIPS_EXPIRY("R9.2"),

    // Narrow races: two locked steps where one is needed, with nothing in between to widen the
    // window.
    /** R5.2: create checks the exclusive claim in one round trip and writes in the next. */
    CLAIM_CHECK_THEN_WRITE("R5.2"),
    /** R2.3: saveIfUnchanged compares the version in one round trip and writes in the next. */
    CAS_READ_THEN_WRITE("R2.3"),
    /**
     * R3.2: an optimistic update (read, then commit in a second round trip) whose commit, finding
     * no record, writes anyway (over the tombstone).
     */
    UPDATE_COMMITS_OVER_TOMBSTONE("R3.2"),
    /**
     * R2.4: get answers from its read and writes the refreshed copy back afterwards, on another
     * thread.
     */
    GET_WRITES_BACK("R2.4"),
    /** R1.4: regenerate reads in one round trip and moves the session it read in the next. */
    REGENERATE_NOT_ATOMIC("R1.4"),
    /** R7.1: update publishes its event just after leaving the lock. */
    EVENTS_PUBLISHED_AFTER_UNLOCK("R7.1"),
    /** R7.1: events are delivered on the writer's thread, inside the write. */
    SYNC_DELIVERY("R7.1"),
    /**
     * R2.7: update holds a ReentrantLock across the caller's change, so contending updates park.
     */
    LOCK_HELD_ACROSS_CHANGE("R2.7"),
    /**
     * R2.7: an optimistic update (two round trips) sleeps a millisecond before retrying after a
     * conflict.
     */
    SLEEPS_IN_BACKOFF("R2.7"),
    /** R2.7: the store's periodic cleanup reads a file with blocking I/O. */
    PERIODIC_BLOCKING_IO("R2.7"),
    /** R4.5: every read that meets an expired record emits EXPIRED again. */
    EXPIRED_ON_EVERY_NOTICE("R4.5"),
    /** R4.5: no timely sweep: EXPIRED waits for the cleanup interval. */
    NO_TIMELY_EXPIRY("R4.5"),
    /** R4.2: writes treat a session as live at exactly expiresAt (isAfter instead of !isBefore). */
    WRITES_AT_EXPIRY_LIVE("R4.2"),
    /** R4.3: a refresh moves the deadline along with lastAccessedAt. */
    REFRESH_MOVES_DEADLINE("R4.3"),
    /** R3.4: cleanup uses the expiry computed at the last write, blind to refreshes by reads. */
    CLEANUP_IGNORES_REFRESH("R3.4"),
    /** R3.4: a tombstone is dated with the session's last access instead of the destroy. */
    TOMBSTONE_AGES_FROM_ACCESS("R3.4"),
    /** R3.2: destroy of an expired but stored session removes it without a tombstone. */
    DESTROY_OF_EXPIRED_NO_TOMBSTONE("R3.2"),
    /**
     * R5.2: save and saveIfUnchanged that drop a claim leave it in force (only update releases).
     */
    CLAIM_KEPT_BY_SAVE("R5.2"),
    /**
     * R2.3: versions compared as boxed Longs with ==, which breaks past the small-integer cache.
     */
    VERSION_BOXED_IDENTITY("R2.3"),
    /** R6.2: '.' and '$' escaped as U+FF0E and U+FF04, and every such look-alike unescaped. */
    LOOK_ALIKES_FOLDED("R6.2"),
    /** R6.1: findByPrincipal answers empty for a principal with an unpaired surrogate. */
    PRINCIPAL_NOT_CHECKED("R6.1");

    /** The rule the kit must fail for a store with this flaw. */
    final String rule;

    Flaw(String rule) {
      this.rule = rule;
    }
  }

  private final Object lock = new Object();
  // Concurrent maps, so that the flawed paths can read them without the lock, as a careless store
  // would;
  // the correct paths touch them only while holding the lock.
  private final Map<String, Session> records =
      new ConcurrentHashMap<>(); // may hold expired ones until cleanup
  private final Map<String, Instant> tombstones = new ConcurrentHashMap<>();
  private final Set<String> corrupt =
      ConcurrentHashMap.newKeySet(); // records that no longer decode (R8.4)
  private final InstantSource clock;
  private final SessionIdGenerator ids;
  private final @Nullable Duration defaultMaxIdle;
  private final Duration touchThreshold;
  private final Duration tombstoneGrace;
  private final long maxBytes;
  private final SimulatedBackend backend;
  private final Set<Flaw> flaws;
  private final SessionEventPublisher publisher = new SessionEventPublisher();
  private final Disposable schedule;
  private final AtomicLong weakIds = new AtomicLong();
  private final AtomicLong skippedRecords = new AtomicLong();
  private final Map<String, Instant> expiryAtWrite =
      new ConcurrentHashMap<>(); // for CLEANUP_IGNORES_REFRESH
  private final Map<String, String> keptClaims =
      new ConcurrentHashMap<>(); // principal -> id, CLAIM_KEPT_BY_SAVE
  private final java.util.concurrent.locks.ReentrantLock changeLock =
      new java.util.concurrent.locks.ReentrantLock();
  private final List<reactor.core.publisher.FluxSink<SessionEvent>> directSinks =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ThreadLocal<List<SessionEvent>> pendingEvents =
      ThreadLocal.withInitial(ArrayList::new);
  private final Disposable sweep;
  private final java.nio.file.@Nullable Path scratchFile;
  private @Nullable String lastWritten;
  private volatile boolean closed;

  ReferenceStore(StoreOptions options, SimulatedBackend backend, Set<Flaw> flaws) {
    this.flaws = flaws.isEmpty() ? EnumSet.noneOf(Flaw.class) : EnumSet.copyOf(flaws);
    this.clock = options.require(StoreOptions.CLOCK);
    this.ids = options.require(StoreOptions.ID_GENERATOR);
    // StoreOptions.get checks a value set in code as it checks one from the URI (R9.1).
    this.defaultMaxIdle = options.get(StoreOptions.MAX_IDLE);
    this.touchThreshold = options.require(StoreOptions.TOUCH_THRESHOLD);
    this.tombstoneGrace = options.require(StoreOptions.TOMBSTONE_GRACE);
    this.maxBytes = options.require(StoreOptions.MAX_SESSION_BYTES);
    if (!flawed(Flaw.ACCEPTS_BAD_OPTIONS)) {
      options.require(
          StoreOptions.TIMEOUT); // unused without a remote backend, but checked all the same
    }
    this.backend = backend;
    Duration interval = options.require(StoreOptions.CLEANUP_INTERVAL);
    Scheduler configured = options.get(StoreOptions.SCHEDULER);
    Scheduler scheduler = configured != null ? configured : Schedulers.parallel();
    this.scratchFile = flawed(Flaw.PERIODIC_BLOCKING_IO) ? scratchFile() : null;
    this.schedule =
        Flux.interval(interval, interval, scheduler)
            .subscribe(
                tick -> {
                  readScratchFile();
                  cleanup().subscribe(removed -> {}, error -> {});
                });
    // R4.5: EXPIRED within a second of expiry, whatever the cleanup interval.
    Duration sweepEvery = Duration.ofMillis(250);
    this.sweep =
        flawed(Flaw.NO_TIMELY_EXPIRY)
            ? reactor.core.Disposables.disposed()
            : Flux.interval(sweepEvery, sweepEvery, scheduler).subscribe(tick -> sweepExpired());
  }

  private static java.nio.file.Path scratchFile() {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("reference-store", ".bin");
      java.nio.file.Files.write(file, new byte[4096]);
      file.toFile().deleteOnExit();
      return file;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** PERIODIC_BLOCKING_IO: blocking file I/O on the scheduler's thread. */
  private void readScratchFile() {
    java.nio.file.Path file = scratchFile;
    if (file == null) {
      return;
    }
    try (java.io.FileInputStream in = new java.io.FileInputStream(file.toFile())) {
      in.read(new byte[4096]);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Emits EXPIRED for and removes every expired session (not tombstones); the store's timely sweep.
   */
  private void sweepExpired() {
    if (closed || !backend.isUp()) {
      return;
    }
    synchronized (lock) {
      Instant now = now();
      for (Iterator<Session> it = records.values().iterator(); it.hasNext(); ) {
        Session s = it.next();
        if (!corrupt.contains(s.id()) && isExpired(s, now)) {
          it.remove();
          publish(SessionEvent.Type.EXPIRED, s, now);
        }
      }
    }
  }

  /** For the kit's BackendControl: makes one stored record undecodable (R8.4). */
  boolean corruptRecord(String id) {
    synchronized (lock) {
      return records.containsKey(id) && corrupt.add(id);
    }
  }

  /** Decoding a stored record: a corrupt one fails, naming the redacted id. */
  private Session decode(Session stored) {
    if (corrupt.contains(stored.id())) {
      throw new SessionStoreException(
          "the stored record of session " + Session.redact(stored.id()) + " cannot be decoded");
    }
    return stored;
  }

  /** Whether a scan skips a record: corrupt ones are skipped and counted, unless flawed. */
  private boolean skipped(Session stored) {
    if (!corrupt.contains(stored.id())) {
      return false;
    }
    if (flawed(Flaw.CORRUPT_RECORD_BREAKS_SCANS)) {
      decode(stored);
    }
    skippedRecords.incrementAndGet();
    return true;
  }

  private boolean flawed(Flaw flaw) {
    return flaws.contains(flaw);
  }

  // ---- the operation frame: closed check, backend check, one global lock ----

  private <T> Mono<T> op(Supplier<@Nullable T> work) {
    Mono<T> mono =
        Mono.defer(
            () -> {
              if (closed && !flawed(Flaw.WORKS_AFTER_CLOSE)) {
                return Mono.error(new IllegalStateException("the reference store is closed"));
              }
              if (!backend.isUp()) {
                if (flawed(Flaw.HANGS_WHEN_CUT)) {
                  return Mono.never();
                }
                if (flawed(Flaw.LOSES_ACKED_WRITES)) {
                  synchronized (lock) {
                    if (lastWritten != null) {
                      records.remove(lastWritten);
                    }
                  }
                }
                return Mono.error(
                    new StoreUnavailableException("the reference backend is cut", null));
              }
              if (flawed(Flaw.BLOCKING)) {
                try {
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              T result;
              try {
                synchronized (lock) {
                  result = work.get();
                }
              } finally {
                publishPending();
              }
              return Mono.justOrEmpty(result);
            });
    if (flawed(Flaw.EAGER)) {
      Mono<T> cached = mono.cache();
      cached.subscribe(value -> {}, error -> {});
      return cached;
    }
    return mono;
  }

  /** Like {@link #op(Supplier)}, for the flawed paths that take the lock themselves, in steps. */
  private <T> Mono<T> stepwise(Supplier<@Nullable T> work) {
    return Mono.defer(
        () -> {
          if (closed) {
            return Mono.error(new IllegalStateException("the reference store is closed"));
          }
          if (!backend.isUp()) {
            return Mono.error(new StoreUnavailableException("the reference backend is cut", null));
          }
          return Mono.justOrEmpty(work.get());
        });
  }

  /**
   * Two backend round trips, as a reactive store makes them: the reply to the first arrives on
   * another thread (a driver's I/O thread, here Reactor's parallel scheduler) and the second starts
   * from there. No sleep: the window between the two steps is the ordinary cost of that hand-over.
   */
  private <R, T> Mono<T> twoTrips(
      Supplier<@Nullable R> first, java.util.function.Function<R, @Nullable T> second) {
    return stepwise(first)
        .publishOn(Schedulers.parallel())
        .flatMap(r -> Mono.justOrEmpty(second.apply(r)));
  }

  private void publishPending() {
    List<SessionEvent> pending = pendingEvents.get();
    if (!pending.isEmpty()) {
      List<SessionEvent> copy = new ArrayList<>(pending);
      pending.clear();
      copy.forEach(publisher::publish);
    }
  }

  private Mono<Void> closedCheck() {
    return Mono.defer(
        () ->
            closed && !flawed(Flaw.WORKS_AFTER_CLOSE)
                ? Mono.error(new IllegalStateException("the reference store is closed"))
                : Mono.empty());
  }

  private Instant now() {
    return clock.instant();
  }

  private boolean isExpired(Session s, Instant now) {
    if (flawed(Flaw.IGNORES_DEADLINE)) {
      return s.maxIdle() != null && !now.isBefore(s.lastAccessedAt().plus(s.maxIdle()));
    }
    return s.isExpiredAt(now);
  }

  private @Nullable Session live(String id, Instant now) {
    Session s = records.get(id);
    if (s == null) {
      return null;
    }
    decode(s);
    if (flawed(Flaw.THRESHOLD_SKIPS_EXPIRY)
        && !touchThreshold.isZero()
        && !touchThreshold.isNegative()
        && Duration.between(s.lastAccessedAt(), now).compareTo(touchThreshold) < 0) {
      return s;
    }
    if (isExpired(s, now) && !flawed(Flaw.RETURNS_EXPIRED)) {
      if (flawed(Flaw.EXPIRED_ON_EVERY_NOTICE)) {
        publish(SessionEvent.Type.EXPIRED, s, now);
      }
      return null;
    }
    return s;
  }

  /** A stored session as a write sees it: live, or (flawed) also at exactly its expiresAt. */
  private @Nullable Session liveForWrite(String id, Instant now) {
    Session s = records.get(id);
    if (s != null && flawed(Flaw.WRITES_AT_EXPIRY_LIVE) && now.equals(s.expiresAt())) {
      return decode(s);
    }
    return live(id, now);
  }

  private Session refreshed(Session s, Instant now) {
    if (Duration.between(s.lastAccessedAt(), now).compareTo(touchThreshold) < 0) {
      return s;
    }
    Session.Builder builder = s.toBuilder().lastAccessedAt(now);
    Instant deadline = s.deadline();
    if (flawed(Flaw.REFRESH_MOVES_DEADLINE) && deadline != null) {
      builder.deadline(deadline.plus(Duration.between(s.lastAccessedAt(), now)));
    }
    Session touched = builder.build();
    records.put(s.id(), touched);
    return touched;
  }

  private String newId() {
    for (int attempt = 0; attempt < 100; attempt++) {
      String id = flawed(Flaw.WEAK_IDS) ? "s" + weakIds.incrementAndGet() : ids.generate();
      Session.requireWellFormedId(id);
      if ((!records.containsKey(id) && !tombstones.containsKey(id))
          || flawed(Flaw.OVERWRITES_ON_COLLISION)) {
        return id;
      }
    }
    throw new IllegalStateException("the id generator returned 100 ids in use in a row");
  }

  private void checkSize(Session s) {
    long size = s.data().estimatedSize();
    if (size > maxBytes && !flawed(Flaw.NO_SIZE_LIMIT)) {
      throw new SessionTooLargeException(size, maxBytes);
    }
  }

  /**
   * R5.2: binding a principal to a session conflicts with another live session's exclusive claim.
   */
  private void checkClaim(Session candidate, @Nullable Session stored, Instant now) {
    String principal = candidate.principal();
    if (principal == null) {
      return;
    }
    boolean newBinding = stored == null || !principal.equals(stored.principal());
    if (!newBinding && !candidate.exclusive()) {
      return;
    }
    for (Session other : records.values()) {
      if (corrupt.contains(other.id())) {
        continue;
      }
      if (!other.id().equals(candidate.id())
          && principal.equals(other.principal())
          && other.exclusive()
          && (!isExpired(other, now) || flawed(Flaw.EXPIRED_KEEPS_CLAIM))) {
        throw new PrincipalConflictException(principal);
      }
    }
    String kept = keptClaims.get(principal);
    if (kept != null && !kept.equals(candidate.id()) && live(kept, now) != null) {
      throw new PrincipalConflictException(principal);
    }
    if (flawed(Flaw.DOUBLE_CLAIM)) {
      letOthersIn();
    }
  }

  /** For the flaws that break atomicity: releases the global lock for a moment. */
  private void letOthersIn() {
    try {
      lock.wait(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void put(Session s) {
    Session stored = s;
    if (flawed(Flaw.MANGLES_KEYS)
        || flawed(Flaw.LONGS_AS_DOUBLES)
        || flawed(Flaw.LOOK_ALIKES_FOLDED)) {
      stored = s.withData(SessionData.of(lossyRoundTrip(s.data().asMap())));
    }
    records.put(s.id(), stored);
    Instant expiresAt = s.expiresAt();
    if (expiresAt == null) {
      expiryAtWrite.remove(s.id());
    } else {
      expiryAtWrite.put(s.id(), expiresAt);
    }
    lastWritten = s.id();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> lossyRoundTrip(Map<String, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : map.entrySet()) {
      String key = e.getKey();
      if (flawed(Flaw.MANGLES_KEYS)) {
        key = key.replace(".", "\\u002e").replace("\\u002e", ".");
      }
      if (flawed(Flaw.LOOK_ALIKES_FOLDED)) {
        key =
            key.replace(".", "\uFF0E")
                .replace("$", "\uFF04")
                .replace("\uFF0E", ".")
                .replace("\uFF04", "$");
      }
      Object value = e.getValue();
      if (value instanceof Map) {
        value = lossyRoundTrip((Map<String, ?>) value);
      } else if (value instanceof Long && flawed(Flaw.LONGS_AS_DOUBLES)) {
        value = (long) (double) (Long) value;
      }
      out.put(key, value);
    }
    return out;
  }

  private void publish(SessionEvent.Type type, Session s, Instant now) {
    SessionEvent event = new SessionEvent(type, s.id(), s, now);
    if (flawed(Flaw.SYNC_DELIVERY)) {
      directSinks.forEach(sink -> sink.next(event));
    } else if (flawed(Flaw.EVENTS_PUBLISHED_AFTER_UNLOCK)) {
      pendingEvents.get().add(event);
    } else {
      publisher.publish(event);
    }
  }

  // ---- SessionStore ----

  @Override
  public Mono<Session> create(SessionDraft draft) {
    if (flawed(Flaw.CLAIM_CHECK_THEN_WRITE)) {
      return twoTrips(
          () -> {
            Instant now = now();
            Session s = SessionPolicy.newSession(draft, newId(), now, defaultMaxIdle);
            checkClaim(s, null, now); // the check, one round trip, without the lock ...
            checkSize(s);
            return s;
          },
          s -> {
            synchronized (lock) {
              put(s); // ... and then the write, the next round trip
              publish(SessionEvent.Type.CREATED, s, s.createdAt());
            }
            return s;
          });
    }
    return op(
        () -> {
          Instant now = now();
          Session s = SessionPolicy.newSession(draft, newId(), now, defaultMaxIdle);
          checkSize(s);
          checkClaim(s, null, now);
          put(s);
          publish(SessionEvent.Type.CREATED, s, now);
          return s;
        });
  }

  /** get and touch of a malformed id: empty without touching the records (R1.3), unless flawed. */
  private Mono<Session> malformedId() {
    if (flawed(Flaw.MALFORMED_ID_THROWS)) {
      return Mono.error(new IllegalArgumentException("malformed id"));
    }
    return closedCheck().then(Mono.empty());
  }

  @Override
  public Mono<Session> get(String id) {
    if (!Session.isWellFormedId(id)) {
      return malformedId();
    }
    if (flawed(Flaw.GET_WRITES_BACK)) {
      // Like a store that answers from its read and flushes the refreshed lastAccessedAt
      // afterwards, in a
      // write of its own: the whole copy it read goes back, over any update committed in between.
      return stepwise(
          () -> {
            Instant now = now();
            Session s = live(id, now); // reads without the lock ...
            if (s == null || !SessionPolicy.needsRefresh(s, now, touchThreshold)) {
              return s;
            }
            Session touched = s.toBuilder().lastAccessedAt(now).build();
            Schedulers.parallel()
                .schedule(
                    () -> {
                      synchronized (lock) {
                        records.put(
                            id,
                            touched); // ... and writes back the copy it read, once the answer is
                        // out
                      }
                    });
            return touched;
          });
    }
    return op(
        () -> {
          Instant now = now();
          Session s = live(id, now);
          return s == null ? null : refreshed(s, now);
        });
  }

  @Override
  public Mono<Session> save(Session session) {
    if (session == null) {
      return closedCheck().then(Mono.error(new IllegalArgumentException("session is null")));
    }
    return op(() -> commit(prepare(session, false)));
  }

  @Override
  public Mono<Session> saveIfUnchanged(Session session) {
    if (session == null) {
      return closedCheck().then(Mono.error(new IllegalArgumentException("session is null")));
    }
    if (flawed(Flaw.CAS_READ_THEN_WRITE)) {
      return twoTrips(
          () -> prepare(session, true),
          prepared -> { // read and compare the version ...
            synchronized (lock) {
              return commit(prepared); // ... and then write, in the next round trip
            }
          });
    }
    return op(() -> commit(prepare(session, true)));
  }

  /** A checked write, ready to commit. */
  private record Prepared(
      Session toStore, @Nullable Session base, @Nullable Session expired, Instant now) {}

  private Prepared prepare(Session session, boolean compareVersion) {
    Instant now = now();
    String id = session.id();
    if (tombstones.containsKey(id) && (compareVersion || !flawed(Flaw.RESURRECTS))) {
      throw new SessionDestroyedException(id);
    }
    Session stored = records.get(id);
    Session base = stored != null ? liveForWrite(id, now) : null;
    if (compareVersion) {
      if (base == null) {
        throw new StaleSessionException(id, session.version(), "nothing");
      }
      boolean same =
          flawed(Flaw.VERSION_BOXED_IDENTITY)
              ? sameBoxed(base.version(), session.version())
              : base.version() == session.version();
      if (!same && !flawed(Flaw.IGNORES_VERSION)) {
        throw new StaleSessionException(id, session.version(), "version " + base.version());
      }
    }
    Session.Builder next =
        session.toBuilder()
            .version(base == null ? 1 : base.version() + 1)
            .lastAccessedAt(now)
            .createdAt(base == null ? now : base.createdAt());
    if (base != null && flawed(Flaw.MERGES_ON_SAVE)) {
      Map<String, Object> merged = new LinkedHashMap<>(base.data().asMap());
      merged.putAll(session.data().asMap());
      next.data(SessionData.of(merged));
    }
    if (base != null && flawed(Flaw.IGNORES_NEW_EXPIRY)) {
      next.maxIdle(base.maxIdle()).deadline(base.deadline());
    }
    Session toStore = next.build();
    checkSize(toStore);
    checkClaim(toStore, base, now);
    return new Prepared(toStore, base, stored != null && base == null ? stored : null, now);
  }

  @SuppressWarnings({"ReferenceEquality", "BoxedPrimitiveEquality"})
  private static boolean sameBoxed(long a, long b) {
    Long x = a;
    Long y = b;
    return x == y; // the flaw: identity of boxed values, equal only within the small-integer cache
  }

  private Session commit(Prepared p) {
    Session toStore = p.toStore();
    String id = toStore.id();
    Session expired = p.expired();
    if (expired != null) {
      records.remove(id);
      publish(SessionEvent.Type.EXPIRED, expired, p.now());
    }
    Session base = p.base();
    if (flawed(Flaw.CLAIM_KEPT_BY_SAVE)
        && base != null
        && base.exclusive()
        && base.principal() != null
        && (!toStore.exclusive() || !base.principal().equals(toStore.principal()))) {
      keptClaims.put(base.principal(), id);
    }
    tombstones.remove(id);
    put(toStore);
    publish(base == null ? SessionEvent.Type.CREATED : SessionEvent.Type.UPDATED, toStore, p.now());
    return toStore;
  }

  @Override
  public Mono<Session> update(String id, UnaryOperator<Session> change) {
    if (!Session.isWellFormedId(id)) {
      return closedCheck().then(Mono.empty());
    }
    if (flawed(Flaw.UPDATE_COMMITS_OVER_TOMBSTONE) || flawed(Flaw.SLEEPS_IN_BACKOFF)) {
      return optimisticUpdate(id, change);
    }
    if (flawed(Flaw.LOCK_HELD_ACROSS_CHANGE)) {
      return stepwise(
          () -> {
            changeLock.lock();
            try {
              synchronized (lock) {
                return updateLocked(id, change);
              }
            } finally {
              changeLock.unlock();
              publishPending();
            }
          });
    }
    return op(() -> updateLocked(id, change));
  }

  private @Nullable Session updateLocked(String id, UnaryOperator<Session> change) {
    Instant now = now();
    Session stored = liveForWrite(id, now);
    if (stored == null) {
      if (!flawed(Flaw.UPDATE_OF_ABSENT_CREATES) || tombstones.containsKey(id)) {
        return null;
      }
      stored =
          Session.builder(id).createdAt(now).lastAccessedAt(now).maxIdle(defaultMaxIdle).build();
    }
    Session changed = change.apply(stored);
    if (changed == null || !changed.id().equals(id)) {
      throw new IllegalArgumentException("update's change must return a session with the same id");
    }
    if (flawed(Flaw.LOST_UPDATES)) {
      letOthersIn(); // and then write what was computed from a stale read
    }
    return commitUpdate(stored, changed, now);
  }

  private Session commitUpdate(Session stored, Session changed, Instant now) {
    Session.Builder next =
        changed.toBuilder()
            .version(stored.version() + 1)
            .lastAccessedAt(now)
            .createdAt(stored.createdAt());
    if (flawed(Flaw.IGNORES_NEW_EXPIRY)) {
      next.maxIdle(stored.maxIdle()).deadline(stored.deadline());
    }
    Session toStore = next.build();
    checkSize(toStore);
    checkClaim(toStore, stored, now);
    keptClaims.values().remove(stored.id());
    put(toStore);
    if (!flawed(Flaw.NO_UPDATE_EVENTS)) {
      publish(SessionEvent.Type.UPDATED, toStore, now);
    }
    return toStore;
  }

  /**
   * One optimistic attempt: the copy read and the changed copy to commit if the version still
   * matches.
   */
  private record Attempt(Session stored, Session changed) {}

  /**
   * The flawed optimistic update: read and change in one round trip, commit in the next if the
   * version still matches, else read again.
   */
  private Mono<Session> optimisticUpdate(String id, UnaryOperator<Session> change) {
    return twoTrips(
            () -> {
              Session stored = liveForWrite(id, now()); // an optimistic read, without the lock
              return stored == null
                  ? null
                  : new Attempt(stored, SessionPolicy.checkChange(id, change.apply(stored)));
            },
            attempt -> attempt)
        .flatMap(
            attempt -> {
              Session stored = attempt.stored();
              synchronized (lock) {
                Session current = records.get(id);
                boolean conflict =
                    flawed(Flaw.UPDATE_COMMITS_OVER_TOMBSTONE)
                        ? current != null
                            && current.version()
                                != stored.version() // absent: commits over the tombstone
                        : current == null
                            || current.version() != stored.version()
                            || tombstones.containsKey(id);
                if (!conflict) {
                  if (current == null && flawed(Flaw.UPDATE_COMMITS_OVER_TOMBSTONE)) {
                    tombstones.remove(id);
                  }
                  return Mono.just(commitUpdate(stored, attempt.changed(), now()));
                }
                if (current == null || tombstones.containsKey(id)) {
                  return Mono.<Session>empty();
                }
              }
              if (flawed(Flaw.SLEEPS_IN_BACKOFF)) {
                try {
                  Thread.sleep(
                      1); // a back-off before retrying, on whatever thread the conflict was seen
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return Mono.<Session>empty();
                }
              }
              return optimisticUpdate(id, change);
            });
  }

  @Override
  public Mono<Session> touch(String id) {
    if (!Session.isWellFormedId(id)) {
      return malformedId();
    }
    return op(
        () -> {
          Instant now = now();
          Session s = flawed(Flaw.TOUCH_REVIVES) ? records.get(id) : liveForWrite(id, now);
          return s == null ? null : refreshed(s, now);
        });
  }

  @Override
  public Mono<Boolean> destroy(String id) {
    if (!Session.isWellFormedId(id)) {
      return closedCheck().then(Mono.just(false));
    }
    return op(
        () -> {
          Instant now = now();
          Session stored = records.remove(id);
          if (stored == null) {
            return false;
          }
          boolean wasLive = !isExpired(stored, now);
          if (wasLive || !flawed(Flaw.DESTROY_OF_EXPIRED_NO_TOMBSTONE)) {
            tombstones.put(
                id, flawed(Flaw.TOMBSTONE_AGES_FROM_ACCESS) ? stored.lastAccessedAt() : now);
          }
          publish(wasLive ? SessionEvent.Type.DESTROYED : SessionEvent.Type.EXPIRED, stored, now);
          return wasLive;
        });
  }

  @Override
  public Mono<Session> regenerate(String id) {
    if (!Session.isWellFormedId(id)) {
      return closedCheck().then(Mono.empty());
    }
    if (flawed(Flaw.REGENERATE_NOT_ATOMIC)) {
      return twoTrips(
          () -> live(id, now()),
          stored -> { // reads in one round trip ...
            Instant now = now();
            Session moved = SessionPolicy.regenerated(stored, newId(), now);
            synchronized (lock) { // ... and moves the session it read in the next
              records.remove(id);
              tombstones.put(id, now);
              publish(SessionEvent.Type.DESTROYED, stored, now);
              put(moved);
              publish(SessionEvent.Type.CREATED, moved, now);
            }
            return moved;
          });
    }
    return op(
        () -> {
          Instant now = now();
          Session stored = live(id, now);
          if (stored == null) {
            return null;
          }
          Session moved = SessionPolicy.regenerated(stored, newId(), now);
          if (!flawed(Flaw.REGENERATE_KEEPS_OLD_ID)) {
            records.remove(id);
            tombstones.put(id, now);
            publish(SessionEvent.Type.DESTROYED, stored, now);
          }
          put(moved);
          publish(SessionEvent.Type.CREATED, moved, now);
          return moved;
        });
  }

  @Override
  public Flux<Session> findByPrincipal(String principal) {
    if (!flawed(Flaw.PRINCIPAL_NOT_CHECKED)) {
      try {
        SessionPolicy.checkPrincipal(principal);
      } catch (RuntimeException e) {
        return Flux.error(e);
      }
    }
    return op(() -> {
          Instant now = now();
          List<Session> found = new ArrayList<>();
          for (Session s : records.values()) {
            if (skipped(s)) {
              continue;
            }
            boolean match =
                s.principal() != null
                    && (flawed(Flaw.PRINCIPAL_IGNORES_CASE)
                        ? s.principal()
                            .toLowerCase(Locale.ROOT)
                            .equals(principal.toLowerCase(Locale.ROOT))
                        : s.principal().equals(principal));
            if (match && live(s.id(), now) != null) {
              found.add(s);
            }
          }
          return found;
        })
        .flatMapIterable(list -> list);
  }

  @Override
  public Flux<Session> all() {
    return op(() -> {
          Instant now = now();
          List<Session> found = new ArrayList<>();
          for (Session s : records.values()) {
            if (!skipped(s) && live(s.id(), now) != null) {
              found.add(s);
            }
          }
          return found;
        })
        .flatMapIterable(list -> list);
  }

  @Override
  public Mono<Long> count() {
    return op(
        () -> {
          Instant now = now();
          long live =
              records.values().stream()
                  .filter(s -> !skipped(s) && live(s.id(), now) != null)
                  .count();
          return flawed(Flaw.COUNTS_DESTROYED) ? live + tombstones.size() : live;
        });
  }

  @Override
  public Mono<Long> clear() {
    return op(
        () -> {
          Instant now = now();
          long cleared = 0;
          for (Iterator<Session> it = records.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (!skipped(s) && !isExpired(s, now)) {
              it.remove();
              if (!flawed(Flaw.CLEAR_WITHOUT_TOMBSTONES)) {
                tombstones.put(s.id(), now);
              }
              publish(SessionEvent.Type.DESTROYED, s, now);
              cleared++;
            }
          }
          return cleared;
        });
  }

  @Override
  public Mono<Long> cleanup() {
    return op(
        () -> {
          Instant now = now();
          long removed = 0;
          if (!flawed(Flaw.CLEANUP_KEEPS_TOMBSTONES)) {
            for (Iterator<Instant> it = tombstones.values().iterator(); it.hasNext(); ) {
              if (Duration.between(it.next(), now).compareTo(tombstoneGrace) > 0) {
                it.remove();
                removed++;
              }
            }
          }
          for (Iterator<Session> it = records.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            Instant writtenExpiry = expiryAtWrite.get(s.id());
            boolean expired =
                flawed(Flaw.CLEANUP_IGNORES_REFRESH)
                    ? writtenExpiry != null && !now.isBefore(writtenExpiry)
                    : isExpired(s, now);
            if (!skipped(s) && expired) {
              publish(SessionEvent.Type.EXPIRED, s, now);
              if (!flawed(Flaw.EXPIRED_EVERY_CLEANUP)) {
                it.remove();
                removed++;
              }
            }
          }
          return removed;
        });
  }

  @Override
  public long droppedEvents() {
    return publisher.dropped();
  }

  @Override
  public Flux<SessionEvent> events() {
    return Flux.defer(
        () ->
            closed && !flawed(Flaw.WORKS_AFTER_CLOSE)
                ? Flux.error(new IllegalStateException("the reference store is closed"))
                : flawed(Flaw.SYNC_DELIVERY)
                    ? Flux.<SessionEvent>create(
                        sink -> {
                          directSinks.add(sink);
                          sink.onDispose(() -> directSinks.remove(sink));
                        })
                    : publisher.events());
  }

  @Override
  public StoreCapabilities capabilities() {
    return StoreCapabilities.of(StoreCapabilities.Capability.EVENTS);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    schedule.dispose();
    sweep.dispose();
    if (!flawed(Flaw.WORKS_AFTER_CLOSE)) {
      publisher.close();
    }
  }
}
