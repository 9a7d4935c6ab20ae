package dev.sessionstore.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionTooLargeException;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.StoreCapabilities;
import dev.sessionstore.StoreFullException;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import dev.sessionstore.memory.Principals.Binding;
import dev.sessionstore.memory.Slot.Stored;
import dev.sessionstore.memory.Slot.Tombstone;
import dev.sessionstore.spi.OptionTypes;
import dev.sessionstore.spi.SessionEventPublisher;
import dev.sessionstore.spi.SessionPolicy;
import dev.sessionstore.spi.StoreSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link SessionStore} in this JVM's memory: sessions vanish when the application stops, and each
 * JVM has its own. Built on Caffeine. Open it with {@code SessionStores.open("memory:")} or {@link
 * #open(StoreOptions)}.
 *
 * <h2>Options</h2>
 *
 * Given as URI parameters ({@code memory:?maxSessions=50000&maxIdle=PT20M}) or set in code with
 * {@link StoreOptions#with(Option, Object)}, which wins. An unknown URI parameter fails.
 *
 * <ul>
 *   <li>{@code maxSessions} ({@link #MAX_SESSIONS}, default 100000): the most sessions the store
 *       holds.
 *   <li>{@code whenFull} ({@link #WHEN_FULL}, {@code reject} or {@code evict}, default {@code
 *       reject}): with {@code reject}, {@code create} (and a {@code save} that inserts) fails with
 *       {@link StoreFullException} while the store is full, so that someone creating sessions in bulk
 *       cannot push users out; with {@code evict}, Caffeine evicts sessions it deems least valuable
 *       (size-based W-TinyLFU), each with a {@code DESTROYED} event.
 *   <li>{@code maxIdle} ({@link StoreOptions#MAX_IDLE}, default {@code PT30M}, {@code none} allowed):
 *       the idle limit of sessions whose draft sets none.
 *   <li>{@code touchThreshold} ({@link StoreOptions#TOUCH_THRESHOLD}, default 0): reads refresh
 *       {@code lastAccessedAt} only once it is at least this old.
 *   <li>{@code tombstoneGrace} ({@link StoreOptions#TOMBSTONE_GRACE}, default {@code PT10M}): how long
 *       a destroyed id stays blocked against late writes.
 *   <li>{@code maxSessionBytes} ({@link StoreOptions#MAX_SESSION_BYTES}, default 1 MiB): the largest
 *       session, measured with {@link SessionData#estimatedSize()} (this store encodes nothing).
 *   <li>{@code cleanupInterval} ({@link StoreOptions#CLEANUP_INTERVAL}, default {@code PT1M}): how
 *       often the store runs {@link #cleanup()} by itself.
 *   <li>{@code eventBuffer} ({@link #EVENT_BUFFER}, default 1024): events buffered per subscriber of
 *       {@link #events()} before further ones are dropped for it.
 * </ul>
 *
 * Set in code only: {@link StoreOptions#CLOCK} (every time decision reads it) and {@link
 * StoreOptions#ID_GENERATOR}.
 *
 * <h2>Guarantees</h2>
 *
 * All writes of one id ({@code save}, {@code saveIfUnchanged}, {@code update}, {@code touch}, {@code
 * destroy}, {@code regenerate} and refreshing reads) run one at a time in a short atomic section of
 * that id, in which the principal index, exclusive claims and events change together with the
 * session; there is no store-wide lock, so unrelated ids do not wait for each other. {@link
 * #update(String, UnaryOperator)} runs {@code change} exactly once, inside that section: it must be
 * quick and pure and must not call this store (doing so fails with {@link IllegalStateException}).
 * Expired sessions are never returned or counted, whether or not they were removed yet. {@code
 * EXPIRED} events fire once per session, within a second of its expiry on the system clock (Caffeine's
 * timer wheel here resolves 268 ms; typically 20 to 300 ms late), or at the latest on {@link
 * #cleanup()}. Returned sessions are immutable values, shared without copying.
 *
 * <p>Thread-safe. {@link #close()} it when the application stops.
 */
public final class MemorySessionStore implements SessionStore {

  /** What {@code create} does when the store holds {@link #MAX_SESSIONS} sessions. */
  public enum WhenFull {
    /** Refuse new sessions with {@link StoreFullException}. */
    REJECT,
    /** Evict existing sessions (with a {@code DESTROYED} event) to make room. */
    EVICT
  }

  /** The most sessions the store holds (URI parameter {@code maxSessions}, default 100000). */
  public static final Option<Long> MAX_SESSIONS =
      OptionTypes.number("maxSessions", 100_000L, 1L, Long.MAX_VALUE);

  /** What happens when the store is full (URI parameter {@code whenFull}, default {@code reject}). */
  public static final Option<WhenFull> WHEN_FULL =
      OptionTypes.choice("whenFull", WhenFull.class, WhenFull.REJECT);

  /** Events buffered per subscriber of {@link #events()} (URI parameter {@code eventBuffer}). */
  public static final Option<Long> EVENT_BUFFER =
      OptionTypes.number("eventBuffer", SessionEventPublisher.DEFAULT_BUFFER, 1L, Integer.MAX_VALUE);

  /** Reads and checks this store's options. */
  static final StoreSettings.Reader SETTINGS =
      StoreSettings.reader("memory session store", MemorySessionStoreProvider.SCHEME)
          .own(MAX_SESSIONS, WHEN_FULL, EVENT_BUFFER);

  private static final int MAX_ID_ATTEMPTS = 16;
  private static final System.Logger LOG = System.getLogger(MemorySessionStore.class.getName());

  private final StoreTime time;
  private final SessionIdGenerator idGenerator;
  private final @Nullable Duration defaultMaxIdle;
  private final Duration touchThreshold;
  private final long maxSessionBytes;
  private final long maxSessions;
  private final WhenFull whenFull;
  private final Cache<String, Slot> cache;
  private final ConcurrentMap<String, Slot> map;
  private final Policy<String, Slot> policy;
  private final Principals principals = new Principals();
  private final SessionEventPublisher publisher;
  /** Stored sessions, including expired ones not yet removed; the bound in REJECT mode. */
  private final AtomicLong storedCount = new AtomicLong();
  /** Expired sessions and old tombstones removed since {@code cleanup} last reported. */
  private final AtomicLong removedSinceReport = new AtomicLong();
  /** Set while this thread runs an update's change function, to catch calls back into the store. */
  private final ThreadLocal<@Nullable Boolean> inChange = new ThreadLocal<>();
  private final ScheduledFuture<?> cleanupTask;
  private volatile boolean closed;

  private MemorySessionStore(StoreSettings settings) {
    InstantSource clock = settings.clock();
    this.idGenerator = settings.idGenerator();
    this.defaultMaxIdle = settings.maxIdle();
    this.touchThreshold = settings.touchThreshold();
    Duration grace = settings.tombstoneGrace();
    Duration cleanupInterval = settings.cleanupInterval();
    this.maxSessionBytes = settings.maxSessionBytes();
    this.maxSessions = settings.require(MAX_SESSIONS);
    this.whenFull = settings.require(WHEN_FULL);
    long eventBuffer = settings.require(EVENT_BUFFER);
    this.publisher = new SessionEventPublisher((int) eventBuffer);
    this.time = new StoreTime(clock, grace.toMillis());

    // Maintenance (removing expired records) runs on the thread that triggers it: after a write, in
    // cleanup(), or on the reaper thread when Caffeine's timer says something is due.
    Caffeine<String, Slot> builder = Caffeine.newBuilder()
        .executor(Runnable::run)
        .scheduler(StoreTime.scheduler(Reaper.EXECUTOR))
        .ticker(time)
        .expireAfter(time)
        .evictionListener(this::evicted);
    if (whenFull == WhenFull.EVICT) {
      builder.maximumWeight(maxSessions).weigher((String id, Slot slot) -> slot instanceof Stored ? 1 : 0);
    }
    this.cache = builder.build();
    this.map = cache.asMap();
    this.policy = cache.policy();
    long intervalMillis = cleanupInterval.toMillis();
    this.cleanupTask = Reaper.EXECUTOR.scheduleWithFixedDelay(
        this::scheduledCleanup, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens a store.
   *
   * @param options a {@code memory:} URI and typed options; see the class description for the options
   * @return a new, open, empty store
   * @throws IllegalArgumentException naming the parameter, if the scheme is not {@code memory}, a
   *     parameter is unknown or a value is invalid
   */
  public static MemorySessionStore open(StoreOptions options) {
    return new MemorySessionStore(SETTINGS.read(options));
  }

  /**
   * Opens a store with every option at its default.
   *
   * @return a new, open, empty store
   */
  public static MemorySessionStore open() {
    return open(StoreOptions.parse(MemorySessionStoreProvider.SCHEME + ":"));
  }

  @Override
  public Mono<Session> create(SessionDraft draft) {
    return Mono.fromCallable(() -> {
      checkUsable();
      Objects.requireNonNull(draft, "draft");
      checkSize(draft.data());
      boolean reserved = reserveForCreate();
      boolean inserted = false;
      try {
        for (int attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
          String id = newId();
          Outcome outcome = atomically(id, (slot, now, out) -> {
            if (slot != null) {
              out.flag = true; // the id is in use (or a tombstone): draw another
              return slot;
            }
            Session session = SessionPolicy.newSession(draft, id, now, defaultMaxIdle);
            if (principals.bind(null, session, now) != Binding.OK) {
              out.error = new PrincipalConflictException(Objects.requireNonNull(session.principal()));
              return null;
            }
            if (!reserved) {
              storedCount.incrementAndGet();
            }
            publish(SessionEvent.Type.CREATED, session, now);
            out.session = session;
            return new Stored(session);
          });
          if (!outcome.flag) {
            inserted = outcome.error == null;
            return outcome.value();
          }
        }
        throw new IllegalStateException("the session id generator returned " + MAX_ID_ATTEMPTS
            + " ids in a row that are already in use; is it random?");
      } finally {
        if (reserved && !inserted) {
          storedCount.decrementAndGet();
        }
      }
    });
  }

  @Override
  public Mono<Session> get(String id) {
    return access(id);
  }

  @Override
  public Mono<Session> touch(String id) {
    return access(id);
  }

  @Override
  public Mono<Session> save(Session session) {
    return Mono.fromCallable(() -> {
      checkUsable();
      Objects.requireNonNull(session, "session");
      checkSize(session.data());
      return atomically(session.id(), (slot, now, out) -> {
        if (slot instanceof Tombstone) {
          out.error = new SessionDestroyedException(session.id());
          return slot;
        }
        Session before = slot == null ? null : ((Stored) slot).session();
        Slot written = write(before, session, now, out);
        if (out.lost) { // the stored state had expired: write it anew, as over an absent id
          out.lost = false;
          return write(null, session, now, out);
        }
        return written == null ? slot : written;
      }).value();
    });
  }

  @Override
  public Mono<Session> saveIfUnchanged(Session session) {
    return Mono.fromCallable(() -> {
      checkUsable();
      Objects.requireNonNull(session, "session");
      checkSize(session.data());
      String id = session.id();
      return atomically(id, (slot, now, out) -> {
        if (slot instanceof Tombstone) {
          out.error = new SessionDestroyedException(id);
          return slot;
        }
        if (slot == null) {
          out.error = new StaleSessionException(id, session.version(), "nothing");
          return null;
        }
        Session before = ((Stored) slot).session();
        if (before.version() != session.version()) {
          out.error = new StaleSessionException(id, session.version(), "version " + before.version());
          return slot;
        }
        Slot written = write(before, session, now, out);
        if (out.lost) {
          out.error = new StaleSessionException(id, session.version(), "nothing");
          return null;
        }
        return written == null ? slot : written;
      }).value();
    });
  }

  @Override
  public Mono<Session> update(String id, UnaryOperator<Session> change) {
    Objects.requireNonNull(change, "change");
    return Mono.fromCallable(() -> {
      checkUsable();
      if (!Session.isWellFormedId(id)) {
        return null;
      }
      return atomically(id, (slot, now, out) -> {
        if (!(slot instanceof Stored stored)) {
          return slot;
        }
        Session before = stored.session();
        Session changed;
        inChange.set(Boolean.TRUE);
        try {
          changed = change.apply(before);
        } finally {
          inChange.remove();
        }
        if (changed == null) {
          out.error = new IllegalArgumentException(
              "update's change returned null; return a session, or call destroy to end it");
          return slot;
        }
        if (!changed.id().equals(id)) {
          out.error = new IllegalArgumentException("update's change returned a session with another id ("
              + Session.redact(changed.id()) + " instead of " + Session.redact(id) + ")");
          return slot;
        }
        long size = changed.data().estimatedSize();
        if (size > maxSessionBytes) {
          out.error = new SessionTooLargeException(size, maxSessionBytes);
          return slot;
        }
        Slot written = write(before, changed, now, out);
        if (out.lost) {
          return null;
        }
        return written == null ? slot : written;
      }).value();
    });
  }

  @Override
  public Mono<Boolean> destroy(String id) {
    return Mono.fromCallable(() -> {
      checkUsable();
      return Session.isWellFormedId(id) && destroyNow(id);
    });
  }

  @Override
  public Mono<Session> regenerate(String id) {
    return Mono.fromCallable(() -> {
      checkUsable();
      if (!Session.isWellFormedId(id)) {
        return null;
      }
      String firstNewId = newId();
      // Step 1, atomic on the old id: tombstone it and hand its exclusive claim to the new id, so
      // that from here on the principal stays claimed without a conflict.
      Session old = atomically(id, (slot, now, out) -> {
        if (!(slot instanceof Stored stored)) {
          return slot;
        }
        Session s = stored.session();
        String principal = s.principal();
        if (s.exclusive() && !principals.moveClaim(Objects.requireNonNull(principal), id, firstNewId,
            s.expiresAt())) {
          gone(s, SessionEvent.Type.EXPIRED, now); // its claim was taken over: it had expired
          return null;
        }
        if (principal != null) {
          principals.unindex(principal, id);
        }
        storedCount.decrementAndGet();
        publish(SessionEvent.Type.DESTROYED, s, now);
        out.session = s;
        return Tombstone.at(now);
      }).session;
      if (old == null) {
        return null;
      }
      // Step 2, atomic on the new id: insert the session there (drawing another id on a collision).
      String newId = firstNewId;
      for (int attempt = 1; ; attempt++) {
        String target = newId;
        Outcome inserted = atomically(target, (slot, now, out) -> {
          if (slot != null) {
            out.flag = true;
            return slot;
          }
          Session moved = moved(old, target, now);
          String principal = moved.principal();
          if (principal != null) {
            if (moved.exclusive()) {
              principals.moveClaim(principal, target, target, moved.expiresAt());
            }
            principals.index(principal, target);
          }
          storedCount.incrementAndGet();
          publish(SessionEvent.Type.CREATED, moved, now);
          out.session = moved;
          return new Stored(moved);
        });
        if (!inserted.flag) {
          return inserted.session;
        }
        String next = newId();
        if (old.exclusive()) {
          principals.moveClaim(Objects.requireNonNull(old.principal()), target, next, old.expiresAt());
        }
        if (attempt >= MAX_ID_ATTEMPTS) {
          if (old.exclusive()) {
            principals.unbind(moved(old, next, time.now()));
          }
          throw new IllegalStateException("the session id generator returned " + MAX_ID_ATTEMPTS
              + " ids in a row that are already in use; the session was destroyed");
        }
        newId = next;
      }
    });
  }

  @Override
  public Flux<Session> findByPrincipal(String principal) {
    return Flux.defer(() -> {
      checkUsable();
      Objects.requireNonNull(principal, "principal");
      List<Session> found = new ArrayList<>();
      for (String id : principals.idsOf(principal)) {
        Session s = live(policy.getIfPresentQuietly(id), time.now());
        if (s != null && principal.equals(s.principal())) {
          found.add(s);
        }
      }
      return Flux.fromIterable(found);
    });
  }

  @Override
  public Flux<Session> all() {
    return Flux.defer(() -> {
      checkUsable();
      return Flux.fromIterable(map.values()).mapNotNull(slot -> live(slot, time.now()));
    });
  }

  @Override
  public Mono<Long> count() {
    return Mono.fromCallable(() -> {
      checkUsable();
      Instant now = time.now();
      long live = 0;
      for (Slot slot : map.values()) {
        if (live(slot, now) != null) {
          live++;
        }
      }
      return live;
    });
  }

  @Override
  public Mono<Long> clear() {
    return Mono.fromCallable(() -> {
      checkUsable();
      long destroyed = 0;
      for (String id : List.copyOf(map.keySet())) {
        if (destroyNow(id)) {
          destroyed++;
        }
      }
      return destroyed;
    });
  }

  /**
   * Removes tombstones past the grace and expired sessions, and reports how many records the store
   * removed for those reasons since the previous {@code cleanup} (its own scheduled runs included).
   * The count includes what this store removes continuously on its own: Caffeine removes due records
   * after writes, while iterating and on its timer, each with its {@code EXPIRED} event, so by the time
   * {@code cleanup} runs there may be little left to do.
   *
   * <p>Runs on Reactor's bounded-elastic scheduler: it may wait briefly for Caffeine's maintenance
   * lock.
   *
   * @return how many expired sessions and old tombstones were removed since the previous report
   */
  @Override
  public Mono<Long> cleanup() {
    return Mono.fromCallable(() -> {
      checkUsable();
      return cleanupNow();
    }).subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public Flux<SessionEvent> events() {
    return Flux.defer(() -> {
      checkUsable();
      return publisher.events();
    });
  }

  @Override
  public StoreCapabilities capabilities() {
    return StoreCapabilities.of(StoreCapabilities.Capability.EVENTS);
  }

  @Override
  public long droppedEvents() {
    return publisher.dropped();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cleanupTask.cancel(false);
    publisher.close();
    cache.invalidateAll(); // explicit removals: no events
    principals.clear();
    storedCount.set(0);
  }

  @Override
  public String toString() {
    return "MemorySessionStore{maxSessions=" + maxSessions + ", whenFull=" + whenFull
        + (closed ? ", closed" : "") + '}';
  }

  // ---- atomic sections ----------------------------------------------------------------------

  /** One step of an operation on one id, run inside that id's atomic section. */
  @FunctionalInterface
  private interface Step {
    /**
     * Decides the id's new slot.
     *
     * @param slot the current slot, after removing what was due (an expired session, an old tombstone)
     * @param now the store clock's time
     * @param out where the step reports its result
     * @return the new slot, or null for none; must be {@code slot} when nothing changes
     */
    @Nullable Slot apply(@Nullable Slot slot, Instant now, Outcome out);
  }

  /** The result of a step. */
  private static final class Outcome {
    @Nullable Session session;
    @Nullable Throwable error;
    /** Step-specific: the id was in use (create, regenerate) or a live session was destroyed. */
    boolean flag;
    /** The stored session turned out to have expired (its claim was taken over). */
    boolean lost;

    @Nullable Session value() throws Exception {
      Throwable e = error;
      if (e == null) {
        return session;
      }
      if (e instanceof Exception exception) {
        throw exception;
      }
      throw (Error) e;
    }
  }

  /**
   * Runs a step atomically for one id (Caffeine's {@code compute} locks only that id's hash bin).
   * First removes what is due under the id, so a step never sees an expired session. A step that
   * throws changes nothing; its exception is reported in the outcome.
   */
  private Outcome atomically(String id, Step step) {
    Outcome out = new Outcome();
    map.compute(id, (key, current) -> {
      Instant now = time.now();
      Slot slot = settle(current, now);
      try {
        return step.apply(slot, now, out);
      } catch (RuntimeException | Error e) {
        out.error = e;
        return slot;
      }
    });
    return out;
  }

  /** Removes an expired session (with its EXPIRED event) or a tombstone past its grace. */
  private @Nullable Slot settle(@Nullable Slot current, Instant now) {
    if (current instanceof Stored stored) {
      Session session = stored.session();
      if (!isLive(session, now)) {
        gone(session, SessionEvent.Type.EXPIRED, now);
        countRemoved();
        return null;
      }
    } else if (current instanceof Tombstone && time.isDue(current, now)) {
      countRemoved();
      return null;
    }
    return current;
  }

  /**
   * Writes a new state over the live stored one (or inserts it), inside the id's atomic section.
   *
   * @return the new slot, or null if nothing was written (then {@code out} says why: an error, or
   *     {@code lost} if the stored session had expired)
   */
  private @Nullable Slot write(@Nullable Session before, Session given, Instant now, Outcome out) {
    Session after = given.toBuilder()
        .version(before == null ? 1 : before.version() + 1)
        .lastAccessedAt(now)
        .build();
    boolean reserved = false;
    if (before == null && whenFull == WhenFull.REJECT) {
      if (!tryReserve()) {
        out.error = new StoreFullException(maxSessions);
        return null;
      }
      reserved = true;
    }
    Binding binding = principals.bind(before, after, now);
    if (binding != Binding.OK) {
      if (reserved) {
        storedCount.decrementAndGet();
      }
      if (binding == Binding.LOST) {
        gone(Objects.requireNonNull(before), SessionEvent.Type.EXPIRED, now);
        out.lost = true;
      } else {
        out.error = new PrincipalConflictException(Objects.requireNonNull(after.principal()));
      }
      return null;
    }
    if (before == null && !reserved) {
      storedCount.incrementAndGet();
    }
    publish(before == null ? SessionEvent.Type.CREATED : SessionEvent.Type.UPDATED, after, now);
    out.session = after;
    return new Stored(after);
  }

  /** get and touch: refresh lastAccessedAt of a live session unless it is younger than the threshold. */
  private Mono<Session> access(String id) {
    return Mono.fromCallable(() -> {
      checkUsable();
      if (!Session.isWellFormedId(id)) {
        return null;
      }
      Instant seenAt = time.now();
      Session seen = live(policy.getIfPresentQuietly(id), seenAt);
      if (seen == null) {
        return null; // absent, destroyed or expired: nothing to lock, nothing to revive
      }
      if (!needsRefresh(seen, seenAt)) {
        return seen;
      }
      return atomically(id, (slot, now, out) -> {
        if (!(slot instanceof Stored stored)) {
          return slot;
        }
        Session current = stored.session();
        if (!needsRefresh(current, now)) {
          out.session = current;
          return slot;
        }
        Session refreshed = current.toBuilder().lastAccessedAt(now).build();
        if (principals.bind(current, refreshed, now) != Binding.OK) {
          gone(current, SessionEvent.Type.EXPIRED, now); // its claim was taken over: it had expired
          return null;
        }
        out.session = refreshed;
        return new Stored(refreshed);
      }).value();
    });
  }

  private boolean destroyNow(String id) {
    return atomically(id, (slot, now, out) -> {
      if (!(slot instanceof Stored stored)) {
        return slot;
      }
      Session session = stored.session();
      principals.unbind(session);
      storedCount.decrementAndGet();
      publish(SessionEvent.Type.DESTROYED, session, now);
      out.flag = true;
      return Tombstone.at(now);
    }).flag;
  }

  /**
   * Removes every due record and reports how many were removed since the last report. Caffeine also
   * removes due records on its own (after writes, while iterating, on its timer), so the count
   * includes those.
   */
  private long cleanupNow() {
    cache.cleanUp(); // Caffeine removes what its timer wheel says is due, through evicted(...)
    // Records Caffeine does not see as due: expiries beyond its ticker's range, and exclusive
    // sessions whose claim was taken over. Iteration shows them because Caffeine thinks them live.
    Instant now = time.now();
    for (Map.Entry<String, Slot> entry : map.entrySet()) {
      Slot slot = entry.getValue();
      boolean due = slot instanceof Stored stored ? !isLive(stored.session(), now) : time.isDue(slot, now);
      if (due) {
        atomically(entry.getKey(), (current, at, out) -> current); // settle() removes it
      }
    }
    return removedSinceReport.getAndSet(0);
  }

  private void scheduledCleanup() {
    try {
      if (!closed) {
        cleanupNow();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "scheduled cleanup of the memory session store failed", e);
    }
  }

  /** Caffeine's eviction listener: runs inside the atomic removal of the record, exactly once. */
  private void evicted(@Nullable String id, @Nullable Slot slot, RemovalCause cause) {
    if (slot instanceof Stored stored) {
      gone(stored.session(),
          cause == RemovalCause.SIZE ? SessionEvent.Type.DESTROYED : SessionEvent.Type.EXPIRED, time.now());
    }
    if (cause == RemovalCause.EXPIRED) {
      countRemoved();
    }
  }

  /** Forgets a session leaving the store other than by destroy: unbinds it, counts it, tells subscribers. */
  private void gone(Session session, SessionEvent.Type type, Instant now) {
    principals.unbind(session);
    storedCount.decrementAndGet();
    publish(type, session, now);
  }

  private void countRemoved() {
    removedSinceReport.incrementAndGet();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private boolean isLive(Session session, Instant now) {
    return !session.isExpiredAt(now) && principals.holdsClaim(session);
  }

  private @Nullable Session live(@Nullable Slot slot, Instant now) {
    if (slot instanceof Stored stored && isLive(stored.session(), now)) {
      return stored.session();
    }
    return null;
  }

  private boolean needsRefresh(Session session, Instant now) {
    Instant millis = now.truncatedTo(ChronoUnit.MILLIS);
    Instant last = session.lastAccessedAt();
    return !millis.equals(last) && !millis.isBefore(last.plus(touchThreshold));
  }

  private static Session moved(Session old, String newId, Instant now) {
    return Session.builder(newId)
        .data(old.data())
        .principal(old.principal(), old.exclusive())
        .createdAt(old.createdAt())
        .lastAccessedAt(now)
        .maxIdle(old.maxIdle())
        .deadline(old.deadline())
        .version(old.version() + 1)
        .build();
  }

  private String newId() {
    String id = idGenerator.generate();
    if (!Session.isWellFormedId(id)) {
      throw new IllegalStateException("the session id generator returned a malformed id "
          + Session.redact(id) + "; ids are 1 to 256 characters from [A-Za-z0-9._~-]");
    }
    return id;
  }

  private void checkSize(SessionData data) {
    long size = data.estimatedSize();
    if (size > maxSessionBytes) {
      throw new SessionTooLargeException(size, maxSessionBytes);
    }
  }

  /** Takes a place for a new session when the store refuses to grow beyond its bound. */
  private boolean reserveForCreate() {
    if (whenFull == WhenFull.EVICT) {
      return false;
    }
    if (tryReserve()) {
      return true;
    }
    cache.cleanUp(); // expired sessions not yet removed still hold places
    if (tryReserve()) {
      return true;
    }
    throw new StoreFullException(maxSessions);
  }

  private boolean tryReserve() {
    while (true) {
      long stored = storedCount.get();
      if (stored >= maxSessions) {
        return false;
      }
      if (storedCount.compareAndSet(stored, stored + 1)) {
        return true;
      }
    }
  }

  private void publish(SessionEvent.Type type, Session session, Instant now) {
    if (publisher.hasSubscribers()) {
      publisher.publish(new SessionEvent(type, session.id(), session, now));
    }
  }

  private void checkUsable() {
    if (closed) {
      throw new IllegalStateException("the memory session store is closed");
    }
    if (inChange.get() != null) {
      throw new IllegalStateException("update's change function called the store it is updating; "
          + "change runs while the session is locked and must not call the store");
    }
  }

  /** The daemon thread, shared by every memory store, that runs scheduled cleanups and Caffeine's timer. */
  private static final class Reaper {
    static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "sessionstore-memory-reaper");
        thread.setDaemon(true);
        return thread;
      });
      executor.setRemoveOnCancelPolicy(true);
      return executor;
    }
  }
}
