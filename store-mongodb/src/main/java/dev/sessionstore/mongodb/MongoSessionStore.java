package dev.sessionstore.mongodb;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreCapabilities;
import dev.sessionstore.StoreCapabilities.Capability;
import dev.sessionstore.StoreOptions.Option;
import dev.sessionstore.spi.OptionTypes;
import dev.sessionstore.spi.SessionEventPublisher;
import dev.sessionstore.spi.SessionPolicy;
import dev.sessionstore.spi.StoreGuard;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * A {@link SessionStore} on MongoDB: persistent, shared by every application instance that opens
 * the same collection, and publishing {@link SessionEvent events}.
 *
 * <p>Open it from a URI with {@link dev.sessionstore.SessionStores#open(String)} ({@code
 * mongodb://host/app?collection=sessions}, see {@link MongoSessionStoreProvider}) or with the
 * builder, handing it the application's own client:
 *
 * <pre>{@code
 * SessionStore store = MongoSessionStore.builder(mongoClient, "app")
 *     .collection("sessions")
 *     .option(StoreOptions.MAX_IDLE, Duration.ofMinutes(20))
 *     .build();
 * }</pre>
 *
 * <p><b>One round trip per request.</b> {@code get}, {@code touch}, {@code create}, {@code destroy}
 * and {@code save} of a live session are each one conditional MongoDB command on the session's
 * {@code _id}; {@code update} and {@code regenerate} are two. Taking or giving up an exclusive
 * principal claim adds the claim's own write, in a claims collection keyed by principal, so neither
 * collection needs a unique secondary index and both can be sharded on {@code _id}. A session's
 * idle expiry and deadline are stored apart ({@code ie}, {@code dl}, each under a TTL index), so
 * that a refresh computes the new expiry without a server-side pipeline; any MongoDB from 4.2 on
 * (and the embedded {@code mongo-java-server}) runs every command. Expiry is always decided with
 * the store clock, in the filters of the commands (R4.2), never left to MongoDB's TTL monitor.
 *
 * <p>The work is done by package-private parts: {@code SessionCollection} (every command), {@code
 * ConditionalWrites} (writes and their retries), {@code ExclusiveClaims} (R5.2), {@code Sweeper}
 * ({@code EXPIRED} events and cleanup) and {@code IndexSetup}.
 *
 * <p>Thread-safe. {@link #close()} stops the background work and closes the client only if the
 * store opened it itself (from a URI); a client handed to the builder stays open.
 */
public final class MongoSessionStore implements SessionStore {

  /** The collection holding the sessions (default {@code sessions}). */
  public static final Option<String> COLLECTION = OptionTypes.string("collection", "sessions");

  /**
   * The collection holding exclusive principal claims (default: the sessions collection's name
   * followed by {@code _claims}).
   */
  public static final Option<String> CLAIMS_COLLECTION =
      OptionTypes.string("claimsCollection", null);

  /**
   * Whether to create the indexes at open (default {@code true}); {@code false} for users without
   * the privilege, who create them as the README shows.
   */
  public static final Option<Boolean> CREATE_INDEXES = OptionTypes.bool("createIndexes", true);

  /**
   * Whether open fails when either collection has a unique secondary index (default {@code false}):
   * the layout a collection sharded on {@code _id} requires, checked where sharding is not at hand.
   */
  public static final Option<Boolean> FORBID_UNIQUE_INDEXES =
      OptionTypes.bool("forbidUniqueIndexes", false);

  /**
   * How long after a session's expiry MongoDB's TTL monitor may delete it (default one hour), so
   * that a store instance sweeps it and emits {@code EXPIRED} first. Whole seconds.
   */
  public static final Option<Duration> TTL_GRACE =
      OptionTypes.duration("ttlGrace", Duration.ofHours(1), Duration.ZERO, false);

  /**
   * How often an instance with event subscribers looks for newly expired sessions to emit {@code
   * EXPIRED} for (default one second; {@code none} to leave it to {@code cleanup}).
   */
  public static final Option<Duration> SWEEP_INTERVAL =
      OptionTypes.duration("sweepInterval", Duration.ofSeconds(1), Duration.ofMillis(1), true);

  /** Events buffered per subscriber before they are dropped (default 1024). */
  public static final Option<Long> EVENT_BUFFER =
      OptionTypes.number("eventBuffer", SessionEventPublisher.DEFAULT_BUFFER, 1, Integer.MAX_VALUE);

  /** How often a write tries when other instances keep winning the race (default 32). */
  public static final Option<Long> UPDATE_ATTEMPTS =
      OptionTypes.number("updateAttempts", 32, 1, 10_000);

  /** The store's own options, beyond the common ones. */
  static final List<Option<?>> OWN_OPTIONS =
      List.of(
          COLLECTION,
          CLAIMS_COLLECTION,
          CREATE_INDEXES,
          FORBID_UNIQUE_INDEXES,
          TTL_GRACE,
          SWEEP_INTERVAL,
          EVENT_BUFFER,
          UPDATE_ATTEMPTS);

  private static final StoreCapabilities CAPABILITIES =
      StoreCapabilities.of(Capability.EVENTS, Capability.PERSISTENT, Capability.SHARED);
  private static final int REFRESH_ATTEMPTS = 4;

  private final StoreContext ctx;
  private final ConditionalWrites writes;
  private final Sweeper sweeper;
  private final Failures failures;
  private final @Nullable MongoClient ownedClient;
  private final PerIdQueue queue = new PerIdQueue();
  private final Duration timeout;
  private final StoreGuard guard = new StoreGuard("MongoDB session store");

  MongoSessionStore(StoreContext ctx, Failures failures, @Nullable MongoClient ownedClient) {
    this.ctx = ctx;
    this.writes = new ConditionalWrites(ctx);
    this.sweeper = new Sweeper(ctx);
    this.failures = failures;
    this.ownedClient = ownedClient;
    this.timeout = ctx.settings.timeout();
  }

  /**
   * Starts a store on a database of a client the application already has.
   *
   * @param client the client; the store does not close it
   * @param database the database name
   * @return a builder
   */
  public static MongoSessionStoreBuilder builder(MongoClient client, String database) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(database, "database");
    return new MongoSessionStoreBuilder(client.getDatabase(database), client, false);
  }

  /**
   * Starts a store on a database the application already has a client for. Prefer {@link
   * #builder(MongoClient, String)}: with the client, failure messages can name the hosts.
   *
   * @param database the database holding the sessions collection
   * @return a builder
   */
  public static MongoSessionStoreBuilder builder(MongoDatabase database) {
    return new MongoSessionStoreBuilder(Objects.requireNonNull(database, "database"), null, false);
  }

  void start() {
    sweeper.start();
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Mono<Session> get(String id) {
    return run("get", () -> Session.isWellFormedId(id) ? refresh(id) : Mono.empty());
  }

  @Override
  public Mono<Session> touch(String id) {
    return run("touch", () -> Session.isWellFormedId(id) ? refresh(id) : Mono.empty());
  }

  /**
   * Reads a live session and refreshes its last access (R4.3). With no touch threshold this is one
   * command, when the session's idle limit is the store's default (the usual case); otherwise, or
   * when the guess misses, a read and then a refresh conditional on the idle limit read.
   */
  private Mono<Session> refresh(String id) {
    Instant now = ctx.now();
    Mono<Session> read =
        Mono.defer(() -> readThenRefresh(id))
            .retryWhen(
                Retry.max(REFRESH_ATTEMPTS - 1)
                    .filter(ConditionalWrites.LostRace.class::isInstance))
            .onErrorResume(ConditionalWrites.LostRace.class::isInstance, e -> readOnly(id));
    if (!ctx.settings.touchThreshold().isZero()) {
      return read;
    }
    return ctx.sessions
        .refresh(id, now, ctx.defaultMaxIdle())
        .map(doc -> SessionDocuments.decode(doc).live())
        .switchIfEmpty(read);
  }

  private Mono<Session> readThenRefresh(String id) {
    return ctx.sessions
        .find(id)
        .map(SessionDocuments::decode)
        .flatMap(
            stored -> {
              Instant now = ctx.now();
              if (!stored.isLive(now)) {
                return Mono.empty();
              }
              Session current = stored.live();
              Duration idle = Duration.between(current.lastAccessedAt(), now);
              if (idle.isNegative()
                  || idle.isZero()
                  || idle.compareTo(ctx.settings.touchThreshold()) < 0) {
                return Mono.just(current);
              }
              return ctx.sessions
                  .refreshRead(id, now, current.maxIdle())
                  .flatMap(
                      done ->
                          done
                              ? Mono.just(current.toBuilder().lastAccessedAt(now).build())
                              : Mono.error(new ConditionalWrites.LostRace()));
            });
  }

  private Mono<Session> readOnly(String id) {
    return ctx.sessions
        .find(id)
        .map(SessionDocuments::decode)
        .filter(s -> s.isLive(ctx.now()))
        .map(StoredSession::live);
  }

  @Override
  public Flux<Session> findByPrincipal(String principal) {
    return runMany(
        "findByPrincipal",
        () -> {
          String p = SessionPolicy.checkPrincipal(required(principal, "principal"));
          Instant now = ctx.now();
          return ctx.decodeAll(ctx.sessions.findByPrincipal(p))
              .filter(s -> s.isLive(now))
              .map(StoredSession::live);
        });
  }

  @Override
  public Flux<Session> all() {
    return runMany(
        "all",
        () -> {
          Instant now = ctx.now();
          return ctx.decodeAll(ctx.sessions.findLive(now))
              .filter(s -> s.isLive(now))
              .map(StoredSession::live);
        });
  }

  @Override
  public Mono<Long> count() {
    return run("count", () -> ctx.sessions.countLive(ctx.now()));
  }

  // ---------------------------------------------------------------- writes

  @Override
  public Mono<Session> create(SessionDraft draft) {
    return run("create", () -> writes.create(required(draft, "draft")));
  }

  @Override
  public Mono<Session> save(Session session) {
    return run(
        "save",
        () -> {
          String id = Session.requireWellFormedId(required(session, "session").id());
          return queue.run(id, () -> writes.save(session));
        });
  }

  @Override
  public Mono<Session> saveIfUnchanged(Session session) {
    return run(
        "saveIfUnchanged",
        () -> {
          String id = Session.requireWellFormedId(required(session, "session").id());
          return queue.run(id, () -> writes.saveIfUnchanged(session));
        });
  }

  @Override
  public Mono<Session> update(String id, UnaryOperator<Session> change) {
    return run(
        "update",
        () -> {
          required(change, "change");
          return Session.isWellFormedId(id)
              ? queue.run(id, () -> writes.update(id, change))
              : Mono.empty();
        });
  }

  @Override
  public Mono<Boolean> destroy(String id) {
    return run(
        "destroy",
        () ->
            Session.isWellFormedId(id)
                ? queue.run(id, () -> writes.destroy(id))
                : Mono.just(false));
  }

  @Override
  public Mono<Session> regenerate(String id) {
    return run(
        "regenerate",
        () ->
            Session.isWellFormedId(id) ? queue.run(id, () -> writes.regenerate(id)) : Mono.empty());
  }

  @Override
  public Mono<Long> clear() {
    return runLong(
        "clear",
        () ->
            firstWithinTimeout(ctx.sessions.findSessionIds())
                .flatMap(id -> queue.run(id, () -> writes.destroy(id)).timeout(timeout), 8)
                .filter(Boolean::booleanValue)
                .count());
  }

  @Override
  public Mono<Long> cleanup() {
    return runLong("cleanup", sweeper::cleanup);
  }

  // ---------------------------------------------------------------- events, lifecycle

  @Override
  public long droppedEvents() {
    return ctx.events.dropped();
  }

  /**
   * How many stored documents scans skipped because they could not be decoded (R8.4).
   *
   * @return the count since the store opened
   */
  public long undecodableDocuments() {
    return ctx.undecodable();
  }

  @Override
  public Flux<SessionEvent> events() {
    return Flux.defer(
        () -> {
          checkOpen();
          return ctx.events.events();
        });
  }

  @Override
  public StoreCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void close() {
    if (!guard.close()) {
      return;
    }
    sweeper.stop();
    ctx.events.close();
    if (ownedClient != null) {
      ownedClient.close();
    }
  }

  /** For tests: the name of the sessions collection. */
  String collectionName() {
    return ctx.sessions.raw().getNamespace().getCollectionName();
  }

  @Override
  public String toString() {
    return "MongoSessionStore{"
        + ctx.sessions.raw().getNamespace()
        + (guard.isClosed() ? ", closed" : "")
        + '}';
  }

  // ---------------------------------------------------------------- building blocks

  /** Runs an operation lazily, bounded by the timeout, with failures mapped (R2.6, R8.1, R8.3). */
  private <T> Mono<T> run(String operation, Supplier<Mono<T>> body) {
    return Mono.defer(
            () -> {
              checkOpen();
              return body.get();
            })
        .timeout(timeout)
        .onErrorMap(e -> failures.map(operation, e));
  }

  /**
   * Like {@link #run}, for a stream: only the first result is timed (a slow consumer is no outage).
   */
  private <T> Flux<T> runMany(String operation, Supplier<Flux<T>> body) {
    return Flux.defer(
            () -> {
              checkOpen();
              return firstWithinTimeout(body.get());
            })
        .onErrorMap(e -> failures.map(operation, e));
  }

  /** For work over many documents: each round trip is bounded by the timeout, not the whole. */
  private <T> Mono<T> runLong(String operation, Supplier<Mono<T>> body) {
    return Mono.defer(
            () -> {
              checkOpen();
              return body.get();
            })
        .onErrorMap(e -> failures.map(operation, e));
  }

  private <T> Flux<T> firstWithinTimeout(Flux<T> flux) {
    return flux.timeout(Mono.delay(timeout), item -> Mono.never());
  }

  /** Checks an argument inside an operation, so that the error is signalled, not thrown. */
  private static <T> T required(@Nullable T value, String name) {
    return SessionPolicy.requireArgument(value, name);
  }

  private void checkOpen() {
    guard.checkOpen();
  }
}
