package dev.sessionstore.memory;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreCapabilities;
import dev.sessionstore.StoreFullException;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import dev.sessionstore.spi.OptionTypes;
import dev.sessionstore.spi.SessionEventPublisher;
import dev.sessionstore.spi.SessionPolicy;
import dev.sessionstore.spi.StoreGuard;
import dev.sessionstore.spi.StoreSettings;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link SessionStore} in this JVM's memory: sessions vanish when the application stops, and each
 * JVM has its own. Built on Caffeine. Open it with {@code SessionStores.open("memory:")}, {@link
 * #open(StoreOptions)} or {@link #builder()}.
 *
 * <h2>Options</h2>
 *
 * Every common option of {@link StoreOptions} ({@code maxIdle}, {@code touchThreshold}, {@code
 * tombstoneGrace}, {@code maxSessionBytes}, {@code timeout} — accepted, nothing here waits — and
 * {@code cleanupInterval}; in code also the clock, id generator and scheduler), plus:
 *
 * <ul>
 *   <li>{@code maxSessions} ({@link #MAX_SESSIONS}, default 100000): the most sessions the store
 *       holds.
 *   <li>{@code whenFull} ({@link #WHEN_FULL}, {@code reject} or {@code evict}, default {@code
 *       reject}): with {@code reject}, {@code create} (and a {@code save} that inserts) fails with
 *       {@link StoreFullException} while the store is full, so that someone creating sessions in
 *       bulk cannot push users out; with {@code evict}, Caffeine evicts sessions it deems least
 *       valuable (size-based W-TinyLFU), each with a {@code DESTROYED} event.
 *   <li>{@code eventBuffer} ({@link #EVENT_BUFFER}, default 1024): events buffered per subscriber
 *       of {@link #events()} before further ones are dropped for it and counted.
 * </ul>
 *
 * {@code maxSessionBytes} is measured with {@link SessionData#estimatedSize()} (this store encodes
 * nothing). An unknown URI parameter or a bad value, in the URI or in code, fails naming it.
 *
 * <h2>Guarantees</h2>
 *
 * All writes of one id ({@code save}, {@code saveIfUnchanged}, {@code update}, {@code touch},
 * {@code destroy}, {@code regenerate} and refreshing reads) run one at a time in a short atomic
 * section of that id, in which the principal index, exclusive claims and events change together
 * with the session; there is no store-wide lock, so unrelated ids do not wait for each other.
 * {@link #update(String, UnaryOperator)} runs {@code change} exactly once, inside that section: it
 * must be quick and pure and must not call this store (doing so fails with {@link
 * IllegalStateException}). Expired sessions are never returned or counted, whether or not they were
 * removed yet. {@code EXPIRED} events fire once per session, within a second of its expiry on the
 * system clock (a timer looks at expired sessions in buckets of 250 ms), or at the latest on {@link
 * #cleanup()}. Returned sessions are immutable values, shared without copying. Misuse is signalled
 * as {@link SessionStore} describes.
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

  /**
   * What happens when the store is full (URI parameter {@code whenFull}, default {@code reject}).
   */
  public static final Option<WhenFull> WHEN_FULL =
      OptionTypes.choice("whenFull", WhenFull.class, WhenFull.REJECT);

  /** Events buffered per subscriber of {@link #events()} (URI parameter {@code eventBuffer}). */
  public static final Option<Long> EVENT_BUFFER =
      OptionTypes.number(
          "eventBuffer", SessionEventPublisher.DEFAULT_BUFFER, 1L, Integer.MAX_VALUE);

  /** Reads and checks this store's options. */
  static final StoreSettings.Reader SETTINGS =
      StoreSettings.reader("memory session store", MemorySessionStoreProvider.SCHEME)
          .own(MAX_SESSIONS, WHEN_FULL, EVENT_BUFFER);

  private final StoreGuard guard = new StoreGuard("memory session store");
  private final StoreTime time;
  private final Capacity capacity;
  private final SessionEventPublisher publisher;
  private final SessionTable table;
  private final Writes writes;
  private final Reaper reaper;

  private MemorySessionStore(StoreSettings settings) {
    this.time = new StoreTime(settings.clock(), settings.tombstoneGrace().toMillis());
    this.capacity = new Capacity(settings.require(WHEN_FULL), settings.require(MAX_SESSIONS));
    this.publisher = new SessionEventPublisher(Math.toIntExact(settings.require(EVENT_BUFFER)));
    this.reaper =
        new Reaper(settings.scheduler(), settings.cleanupInterval(), this::scheduledCleanup);
    this.table = new SessionTable(time, capacity, publisher, reaper.timer());
    this.writes = new Writes(table, capacity, time, settings);
  }

  /**
   * Opens a store.
   *
   * @param options a {@code memory:} URI and typed options; see the class description for the
   *     options
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
    return builder().build();
  }

  /**
   * Starts configuring a store in code.
   *
   * @return a builder with every option at its default
   */
  public static MemorySessionStoreBuilder builder() {
    return new MemorySessionStoreBuilder();
  }

  @Override
  public Mono<Session> create(SessionDraft draft) {
    return call(() -> writes.create(SessionPolicy.requireArgument(draft, "draft")));
  }

  @Override
  public Mono<Session> get(String id) {
    return access(id);
  }

  @Override
  public Mono<Session> touch(String id) {
    return access(id);
  }

  /** get and touch, in one lambda: reads are the most frequent calls. */
  private Mono<Session> access(String id) {
    return Mono.fromCallable(
        () -> {
          enter();
          return writes.access(id);
        });
  }

  @Override
  public Mono<Session> save(Session session) {
    return call(() -> writes.save(SessionPolicy.requireArgument(session, "session")));
  }

  @Override
  public Mono<Session> saveIfUnchanged(Session session) {
    return call(() -> writes.saveIfUnchanged(SessionPolicy.requireArgument(session, "session")));
  }

  @Override
  public Mono<Session> update(String id, UnaryOperator<Session> change) {
    return Mono.fromCallable(
        () -> {
          enter();
          return writes.update(id, SessionPolicy.requireArgument(change, "change"));
        });
  }

  @Override
  public Mono<Boolean> destroy(String id) {
    return call(() -> writes.destroy(id));
  }

  @Override
  public Mono<Session> regenerate(String id) {
    return call(() -> writes.regenerate(id));
  }

  @Override
  public Flux<Session> findByPrincipal(String principal) {
    return Flux.defer(
        () -> {
          enter();
          SessionPolicy.checkPrincipal(SessionPolicy.requireArgument(principal, "principal"));
          return Flux.fromIterable(table.ofPrincipal(principal, time.now()));
        });
  }

  @Override
  public Flux<Session> all() {
    return Flux.defer(
        () -> {
          enter();
          return Flux.fromIterable(table.sessions(time.now()));
        });
  }

  @Override
  public Mono<Long> count() {
    return call(
        () -> {
          long live = 0;
          for (Session ignored : table.sessions(time.now())) {
            live++;
          }
          return live;
        });
  }

  @Override
  public Mono<Long> clear() {
    return call(
        () -> {
          long destroyed = 0;
          for (String id : table.ids()) {
            if (writes.destroy(id)) {
              destroyed++;
            }
          }
          return destroyed;
        });
  }

  /**
   * Removes tombstones past the grace and expired sessions, and reports how many records the store
   * removed for those reasons since the previous {@code cleanup} (its own scheduled runs included).
   * The count includes what this store removes continuously on its own: writes remove what is due
   * under their id, and a timer removes sessions shortly after they expire, each with its {@code
   * EXPIRED} event, so by the time {@code cleanup} runs there may be little left to do.
   *
   * <p>Runs on Reactor's bounded-elastic scheduler: it walks every record, and may wait briefly for
   * the lock of one being written.
   *
   * @return how many expired sessions and old tombstones were removed since the previous report
   */
  @Override
  public Mono<Long> cleanup() {
    return call(table::removeDue).subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public Flux<SessionEvent> events() {
    return Flux.defer(
        () -> {
          enter();
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
    if (guard.close()) {
      reaper.close();
      publisher.close();
      table.clear();
    }
  }

  @Override
  public String toString() {
    return "MemorySessionStore{" + capacity + (guard.isClosed() ? ", closed" : "") + '}';
  }

  /** Runs an operation when subscribed to, signalling its failures. */
  private <T> Mono<T> call(Callable<T> operation) {
    return Mono.fromCallable(
        () -> {
          enter();
          return operation.call();
        });
  }

  private void enter() {
    guard.checkOpen();
    writes.checkNotInChange();
  }

  private void scheduledCleanup() {
    if (!guard.isClosed()) {
      table.removeDue();
    }
  }
}
