package dev.sessionstore.mongodb;

import static dev.sessionstore.mongodb.SessionDocuments.ACCESSED;
import static dev.sessionstore.mongodb.SessionDocuments.CLAIM;
import static dev.sessionstore.mongodb.SessionDocuments.EXCLUSIVE;
import static dev.sessionstore.mongodb.SessionDocuments.EXPIRES;
import static dev.sessionstore.mongodb.SessionDocuments.ID;
import static dev.sessionstore.mongodb.SessionDocuments.PRINCIPAL;
import static dev.sessionstore.mongodb.SessionDocuments.SWEPT;
import static dev.sessionstore.mongodb.SessionDocuments.TOMBSTONE;
import static dev.sessionstore.mongodb.SessionDocuments.VERSION;

import com.mongodb.MongoClientSettings;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.StoreCapabilities;
import dev.sessionstore.StoreCapabilities.Capability;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import dev.sessionstore.spi.OptionTypes;
import dev.sessionstore.spi.SessionEventPublisher;
import dev.sessionstore.spi.SessionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link SessionStore} on MongoDB: persistent, shared by every application instance that opens the
 * same collection, and publishing {@link SessionEvent events}.
 *
 * <p>Open it from a URI with {@link dev.sessionstore.SessionStores#open(String)} ({@code
 * mongodb://host/app?collection=sessions}, see {@link MongoSessionStoreProvider}) or with the builder,
 * handing it the application's own client:
 *
 * <pre>{@code
 * SessionStore store = MongoSessionStore.builder(mongoClient.getDatabase("app"))
 *     .collection("sessions")
 *     .option(StoreOptions.MAX_IDLE, Duration.ofMinutes(20))
 *     .build();
 * }</pre>
 *
 * <p><b>Documents.</b> One document per session id; the field names are listed in the README and in
 * the class comment of the package's document mapping: {@code _id} the id, {@code v} the version,
 * {@code d} the data (attribute names escaped so that {@code .}, {@code $} and {@code \0} are safe),
 * {@code p}/{@code x}/{@code xc} principal, exclusive flag and exclusive claim, {@code c}/{@code a}
 * created and last accessed, {@code mi}/{@code dl} idle limit and deadline, {@code e} the expiry
 * date, {@code s} the sweep mark, {@code t} the tombstone date.
 *
 * <p>Every write ({@code save} and {@code saveIfUnchanged} included) is an access: it stores
 * {@code lastAccessedAt} as now.
 *
 * <p><b>Atomicity without transactions.</b> Every write reads the document by id and then writes it
 * with one conditional update or replace whose filter holds the version it read, so a write lands
 * only on the state it was computed from; a destroyed session becomes a tombstone with a higher
 * version, so no in-flight write can bring it back. {@code update} retries a lost race with jittered
 * back-off (so its {@code change} may run more than once); within one instance, writes of one id are
 * queued so that they do not race each other. Expiry is checked with the store clock on every read
 * and in every write filter, never left to MongoDB's TTL monitor. An exclusive principal claim is a
 * field under a unique sparse index, so concurrent claims resolve in MongoDB: exactly one wins; a
 * claim held by an expired session is released on the spot by the next claimant.
 *
 * <p><b>Events.</b> {@link #events()} carries this instance's writes, and {@code EXPIRED} for the
 * expired sessions this instance sweeps: a sweeper (every {@link #SWEEP_INTERVAL} while someone is
 * subscribed, and inside {@link #cleanup()}) marks each expired session with a conditional update,
 * so that of several instances exactly one emits each {@code EXPIRED}.
 *
 * <p>Thread-safe. {@link #close()} stops the sweeper and closes the client only if the store opened
 * it itself (from a URI); a client handed to the builder stays open.
 */
public final class MongoSessionStore implements SessionStore {

  /** The collection holding the sessions (default {@code sessions}). */
  public static final Option<String> COLLECTION = OptionTypes.string("collection", "sessions");

  /**
   * Whether to create the indexes at open (default {@code true}); {@code false} for users without
   * the privilege, who create them as the README shows.
   */
  public static final Option<Boolean> CREATE_INDEXES = OptionTypes.bool("createIndexes", true);

  /**
   * How long after a session's expiry MongoDB's TTL monitor may delete it (default one hour), so that
   * a store instance sweeps it and emits {@code EXPIRED} first. Whole seconds.
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

  /** How often {@code update} tries when other instances keep winning the race (default 32). */
  public static final Option<Long> UPDATE_ATTEMPTS = OptionTypes.number("updateAttempts", 32, 1, 10_000);

  /** The options this store reads, well-known and its own. */
  static final List<Option<?>> OPTIONS = List.of(
      StoreOptions.MAX_IDLE, StoreOptions.TOUCH_THRESHOLD, StoreOptions.TOMBSTONE_GRACE,
      StoreOptions.MAX_SESSION_BYTES, StoreOptions.TIMEOUT, StoreOptions.CLEANUP_INTERVAL,
      StoreOptions.CLOCK, StoreOptions.ID_GENERATOR,
      COLLECTION, CREATE_INDEXES, TTL_GRACE, SWEEP_INTERVAL, EVENT_BUFFER, UPDATE_ATTEMPTS);

  private static final System.Logger LOG = System.getLogger(MongoSessionStore.class.getName());
  private static final StoreCapabilities CAPABILITIES =
      StoreCapabilities.of(Capability.EVENTS, Capability.PERSISTENT, Capability.SHARED);
  private static final int ID_ATTEMPTS = 8;
  private static final int REFRESH_ATTEMPTS = 4;
  private static final int SWEEP_BATCH = 1000;

  private final MongoCollection<BsonDocument> collection;
  private final @Nullable MongoClient ownedClient;
  private final InstantSource clock;
  private final SessionIdGenerator ids;
  private final @Nullable Duration defaultMaxIdle;
  private final Duration touchThreshold;
  private final Duration tombstoneGrace;
  private final long maxBytes;
  private final Duration timeout;
  private final int updateAttempts;
  private final SessionEventPublisher events;
  private final PerIdQueue queue = new PerIdQueue();
  private final Disposable.Composite background = Disposables.composite();
  private volatile boolean closed;

  private MongoSessionStore(MongoCollection<BsonDocument> collection,
      @Nullable MongoClient ownedClient, StoreOptions options) {
    this.collection = collection;
    this.ownedClient = ownedClient;
    this.clock = options.require(StoreOptions.CLOCK);
    this.ids = options.require(StoreOptions.ID_GENERATOR);
    this.defaultMaxIdle = options.get(StoreOptions.MAX_IDLE);
    if (defaultMaxIdle != null && defaultMaxIdle.truncatedTo(ChronoUnit.MILLIS).isZero()) {
      throw new IllegalArgumentException("option maxIdle must be at least one millisecond, was "
          + defaultMaxIdle + "; use 'none' for no idle limit");
    }
    this.touchThreshold = options.require(StoreOptions.TOUCH_THRESHOLD);
    this.tombstoneGrace = options.require(StoreOptions.TOMBSTONE_GRACE);
    long limit = options.require(StoreOptions.MAX_SESSION_BYTES);
    if (limit < 1) {
      throw new IllegalArgumentException("option maxSessionBytes must be positive, was " + limit);
    }
    this.maxBytes = Math.min(limit, SessionDocuments.MONGODB_MAX_BYTES);
    this.timeout = positive(options, StoreOptions.TIMEOUT);
    this.updateAttempts = (int) Math.min(options.require(UPDATE_ATTEMPTS), 10_000);
    this.events = new SessionEventPublisher(
        (int) Math.min(options.require(EVENT_BUFFER), Integer.MAX_VALUE));
  }

  /**
   * Starts a store on a database the application already has a client for.
   *
   * @param database the database holding the sessions collection
   * @return a builder
   */
  public static Builder builder(MongoDatabase database) {
    return new Builder(Objects.requireNonNull(database, "database"), null);
  }

  /**
   * Starts a store on a database of a client the application already has.
   *
   * @param client the client; the store does not close it
   * @param database the database name
   * @return a builder
   */
  public static Builder builder(MongoClient client, String database) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(database, "database");
    return new Builder(client.getDatabase(database), null);
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Mono<Session> get(String id) {
    return refresh("get", id);
  }

  @Override
  public Mono<Session> touch(String id) {
    return refresh("touch", id);
  }

  /** Reads a live session and refreshes lastAccessedAt unless it is younger than the threshold. */
  private Mono<Session> refresh(String operation, String id) {
    return run(operation, () -> Session.isWellFormedId(id)
        ? refreshAttempt(id, 1) : Mono.empty());
  }

  private Mono<Session> refreshAttempt(String id, int attempt) {
    return read(id).flatMap(stored -> {
      Instant now = now();
      if (!stored.isLive(now)) {
        return Mono.empty();
      }
      Session current = stored.live();
      Duration idle = Duration.between(current.lastAccessedAt(), now);
      if (idle.isNegative() || idle.isZero() || idle.compareTo(touchThreshold) < 0) {
        return Mono.just(current);
      }
      Session touched = current.toBuilder().lastAccessedAt(now).build();
      BsonDateTime expiry = SessionDocuments.expiry(touched);
      BsonDocument set = new BsonDocument(ACCESSED, new BsonDateTime(now.toEpochMilli()));
      Bson update = expiry == null ? new BsonDocument("$set", set)
          : new BsonDocument("$set", set.append(EXPIRES, expiry));
      return db(collection.updateOne(liveAt(stored, now), update))
          .flatMap(result -> {
            if (result.getMatchedCount() == 1) {
              return Mono.just(touched);
            }
            // A write of another caller came between: it refreshed the session or changed it.
            return attempt < REFRESH_ATTEMPTS ? refreshAttempt(id, attempt + 1)
                : Mono.just(current);
          });
    });
  }

  @Override
  public Flux<Session> findByPrincipal(String principal) {
    // Filtering on the principal alone uses the principal index (on the embedded test server too);
    // tombstones hold no principal, and expiry is checked here with the store clock.
    return run("findByPrincipal", () -> dbMany(collection.find(
            new BsonDocument(PRINCIPAL, new BsonString(required(principal, "principal")))))
        .map(SessionDocuments::decode)
        .collectList())
        .flatMapMany(found -> {
          Instant now = now();
          return Flux.fromIterable(found).filter(s -> s.isLive(now)).map(StoredSession::live);
        });
  }

  @Override
  public Flux<Session> all() {
    return Flux.defer(() -> {
      checkOpen();
      Instant now = now();
      return dbMany(collection.find(liveFilter(now)))
          .map(SessionDocuments::decode)
          .filter(s -> s.isLive(now))
          .map(StoredSession::live)
          // Only the first result is timed: a slow consumer must not make the store look down. The
          // client's socket timeout bounds a stalled stream.
          .transform(this::firstWithinTimeout)
          .onErrorMap(e -> Failures.map("all", e));
    });
  }

  @Override
  public Mono<Long> count() {
    return run("count", () -> db(collection.countDocuments(liveFilter(now()))));
  }

  // ---------------------------------------------------------------- writes

  @Override
  public Mono<Session> create(SessionDraft draft) {
    return run("create", () -> createAttempt(required(draft, "draft"), 1))
        .doOnNext(s -> publish(SessionEvent.Type.CREATED, s));
  }

  private Mono<Session> createAttempt(SessionDraft draft, int attempt) {
    return Mono.defer(() -> {
      String id = Session.requireWellFormedId(ids.generate());
      Session session = SessionPolicy.newSession(draft, id, now(), defaultMaxIdle);
      RawBsonDocument doc = SessionDocuments.encode(session, true, maxBytes);
      return checkBinding(session, null)
          .then(insert(session, doc))
          .flatMap(inserted -> {
            if (inserted) {
              return Mono.just(session);
            }
            if (attempt >= ID_ATTEMPTS) {
              return Mono.error(new IllegalStateException("the id generator produced " + attempt
                  + " ids in a row that were already in use"));
            }
            return createAttempt(draft, attempt + 1);
          });
    });
  }

  @Override
  public Mono<Session> save(Session session) {
    return run("save", () -> {
      String id = Session.requireWellFormedId(required(session, "session").id());
      return queue.run(id, () -> saveAttempt(session, 1));
    });
  }

  private Mono<Session> saveAttempt(Session session, int attempt) {
    return readOptional(session.id()).flatMap(found -> {
      StoredSession stored = found.orElse(null);
      Instant now = now();
      if (stored != null && stored.isTombstone()) {
        return Mono.error(new SessionDestroyedException(session.id()));
      }
      if (stored != null && stored.isLive(now)) {
        Session next = session.toBuilder().lastAccessedAt(now).version(stored.version() + 1)
            .build();
        RawBsonDocument doc = SessionDocuments.encode(next, true, maxBytes);
        return checkBinding(next, stored.live())
            .then(replace(liveAt(stored, now), next, doc))
            .flatMap(written -> written
                ? Mono.just(next).doOnNext(s -> publish(SessionEvent.Type.UPDATED, s))
                : retrySave(session, attempt));
      }
      // Absent or expired: the save inserts a fresh session at version 1.
      Session next = session.toBuilder().lastAccessedAt(now).version(1).build();
      RawBsonDocument doc = SessionDocuments.encode(next, true, maxBytes);
      Mono<Boolean> write = stored == null
          ? insert(next, doc)
          : replace(expiredAt(stored, now), next, doc);
      return checkBinding(next, null)
          .then(write)
          .flatMap(written -> {
            if (!written) {
              return retrySave(session, attempt);
            }
            if (stored != null && !stored.swept()) {
              // The replace consumed the expired session that no sweeper had claimed yet.
              publish(SessionEvent.Type.EXPIRED, stored.live());
            }
            publish(SessionEvent.Type.CREATED, next);
            return Mono.just(next);
          });
    });
  }

  private Mono<Session> retrySave(Session session, int attempt) {
    if (attempt >= updateAttempts) {
      return Mono.error(new StaleSessionException(session.id(), session.version(),
          "a version that kept changing during " + attempt + " attempts to save"));
    }
    return backOff(attempt).then(saveAttempt(session, attempt + 1));
  }

  @Override
  public Mono<Session> saveIfUnchanged(Session session) {
    return run("saveIfUnchanged", () -> {
      String id = Session.requireWellFormedId(required(session, "session").id());
      return queue.run(id, () -> readOptional(id).flatMap(found -> {
        StoredSession stored = found.orElse(null);
        Instant now = now();
        Throwable refused = refusal(session, stored, now);
        if (refused != null) {
          return Mono.error(refused);
        }
        StoredSession current = Objects.requireNonNull(stored);
        Session next = session.toBuilder().lastAccessedAt(now).version(current.version() + 1)
            .build();
        RawBsonDocument doc = SessionDocuments.encode(next, true, maxBytes);
        return checkBinding(next, current.live())
            .then(replace(liveAt(current, now), next, doc))
            .flatMap(written -> written
                ? Mono.just(next).doOnNext(s -> publish(SessionEvent.Type.UPDATED, s))
                : readOptional(id).flatMap(again -> {
                  Throwable why = refusal(session, again.orElse(null), now());
                  return Mono.error(why != null ? why : new StaleSessionException(id,
                      session.version(), "a version that changed while it was being written"));
                }));
      }));
    });
  }

  /** Why a compare-and-set write of {@code session} cannot apply to what is stored, or null. */
  private static @Nullable Throwable refusal(Session session, @Nullable StoredSession stored,
      Instant now) {
    if (stored == null) {
      return new StaleSessionException(session.id(), session.version(), "nothing");
    }
    if (stored.isTombstone()) {
      return new SessionDestroyedException(session.id());
    }
    if (!stored.isLive(now)) {
      return new StaleSessionException(session.id(), session.version(), "an expired session");
    }
    if (stored.version() != session.version()) {
      return new StaleSessionException(session.id(), session.version(),
          "version " + stored.version());
    }
    return null;
  }

  @Override
  public Mono<Session> update(String id, UnaryOperator<Session> change) {
    return run("update", () -> Session.isWellFormedId(id) && required(change, "change") != null
        ? queue.run(id, () -> updateAttempt(id, change, 1)) : Mono.<Session>empty());
  }

  private Mono<Session> updateAttempt(String id, UnaryOperator<Session> change, int attempt) {
    return read(id).flatMap(stored -> {
      Instant now = now();
      if (!stored.isLive(now)) {
        return Mono.empty();
      }
      Session current = stored.live();
      Session changed = change.apply(current);
      if (changed == null) {
        return Mono.error(new IllegalArgumentException("update's change returned null"));
      }
      if (!changed.id().equals(id)) {
        return Mono.error(new IllegalArgumentException("update's change must keep the session id "
            + Session.redact(id) + ", but returned a session with id "
            + Session.redact(changed.id())));
      }
      Session next = changed.toBuilder().lastAccessedAt(now).version(stored.version() + 1).build();
      RawBsonDocument doc = SessionDocuments.encode(next, true, maxBytes);
      return checkBinding(next, current)
          .then(replace(liveAt(stored, now), next, doc))
          .flatMap(written -> {
            if (written) {
              publish(SessionEvent.Type.UPDATED, next);
              return Mono.just(next);
            }
            if (attempt >= updateAttempts) {
              return Mono.error(new StaleSessionException(id, stored.version(),
                  "a version that kept changing during " + attempt + " attempts to update"));
            }
            return backOff(attempt).then(updateAttempt(id, change, attempt + 1));
          });
    });
  }

  @Override
  public Mono<Boolean> destroy(String id) {
    return run("destroy", () -> Session.isWellFormedId(id)
        ? queue.run(id, () -> destroyAttempt(id, 1)) : Mono.just(false));
  }

  /** Tombstones whatever session the id holds; true if it was live. */
  private Mono<Boolean> destroyAttempt(String id, int attempt) {
    return readOptional(id).flatMap(found -> {
      StoredSession stored = found.orElse(null);
      if (stored == null || stored.isTombstone()) {
        return Mono.just(false);
      }
      Instant now = now();
      boolean live = stored.isLive(now);
      BsonDocument filter = live ? liveAt(stored, now) : expiredAt(stored, now);
      return db(collection.replaceOne(filter,
              SessionDocuments.tombstone(id, stored.version() + 1, now)))
          .flatMap(result -> {
            if (result.getMatchedCount() == 1) {
              if (live) {
                publish(SessionEvent.Type.DESTROYED, stored.live());
              } else if (!stored.swept()) {
                publish(SessionEvent.Type.EXPIRED, stored.live());
              }
              return Mono.just(live);
            }
            if (attempt >= updateAttempts) {
              return Mono.error(new StaleSessionException(id, stored.version(),
                  "a version that kept changing during " + attempt + " attempts to destroy"));
            }
            return backOff(attempt).then(destroyAttempt(id, attempt + 1));
          });
    });
  }

  @Override
  public Mono<Session> regenerate(String id) {
    return run("regenerate", () -> Session.isWellFormedId(id)
        ? queue.run(id, () -> regenerateAttempt(id, 1)) : Mono.<Session>empty());
  }

  private Mono<Session> regenerateAttempt(String id, int attempt) {
    return read(id).flatMap(stored -> {
      Instant now = now();
      if (!stored.isLive(now)) {
        return Mono.empty();
      }
      Session old = stored.live();
      return insertUnderNewId(old, stored.version() + 1, now, 1).flatMap(moved ->
          // Only now is the old id destroyed: if the old session changed meanwhile, the copy is
          // removed and the move starts over from the new state.
          db(collection.replaceOne(liveAt(stored, now),
                  SessionDocuments.tombstone(id, stored.version() + 1, now)))
              .flatMap(result -> {
                if (result.getMatchedCount() == 1) {
                  return takeOverClaim(moved).map(done -> {
                    publish(SessionEvent.Type.DESTROYED, old);
                    publish(SessionEvent.Type.CREATED, done);
                    return done;
                  });
                }
                Mono<Void> undo = db(collection.deleteOne(
                    new BsonDocument(ID, new BsonString(moved.id())))).then();
                if (attempt >= updateAttempts) {
                  return undo.then(Mono.error(new StaleSessionException(id, stored.version(),
                      "a version that kept changing during " + attempt
                          + " attempts to regenerate")));
                }
                return undo.then(backOff(attempt)).then(regenerateAttempt(id, attempt + 1));
              }));
    });
  }

  /** Inserts a copy of the session under a fresh id, without its exclusive claim yet. */
  private Mono<Session> insertUnderNewId(Session old, long version, Instant now, int attempt) {
    return Mono.defer(() -> {
      String newId = Session.requireWellFormedId(ids.generate());
      // Inserted without the exclusive flag: takeOverClaim sets it together with the claim.
      Session moved = Session.builder(newId)
          .data(old.data())
          .principal(old.principal(), false)
          .createdAt(old.createdAt())
          .lastAccessedAt(now)
          .maxIdle(old.maxIdle())
          .deadline(old.deadline())
          .version(version)
          .build();
      RawBsonDocument doc = SessionDocuments.encode(moved, true, maxBytes);
      return db(collection.insertOne(doc))
          .thenReturn(old.exclusive() ? moved.withPrincipal(old.principal(), true) : moved)
          .onErrorResume(Failures::isDuplicateKey, e -> attempt >= ID_ATTEMPTS
              ? Mono.error(new IllegalStateException("the id generator produced " + attempt
                  + " ids in a row that were already in use"))
              : insertUnderNewId(old, version, now, attempt + 1));
    });
  }

  /**
   * Moves an exclusive claim to a regenerated session, whose old id was just tombstoned (which
   * released the claim). A claim taken by another session in that instant wins; the regenerated
   * session then stays bound to the principal without the claim.
   */
  private Mono<Session> takeOverClaim(Session moved) {
    String principal = moved.principal();
    if (principal == null || !moved.exclusive()) {
      return Mono.just(moved);
    }
    BsonDocument filter = new BsonDocument(ID, new BsonString(moved.id()))
        .append(VERSION, new BsonInt64(moved.version()));
    BsonDocument claim = new BsonDocument("$set", new BsonDocument(EXCLUSIVE, BsonBoolean.TRUE)
        .append(CLAIM, new BsonString(principal)));
    Mono<Session> attempt = db(collection.updateOne(filter, claim)).thenReturn(moved);
    Mono<Session> lost = Mono.fromSupplier(() -> {
      LOG.log(System.Logger.Level.WARNING, "regenerated session {0} lost its exclusive claim to"
          + " another session that claimed the principal while it moved", Session.redact(moved.id()));
      return moved.withPrincipal(principal, false);
    });
    return attempt.onErrorResume(Failures::isDuplicateKey, e -> holder(principal)
        .flatMap(holder -> {
          Instant now = now();
          if (holder.isLive(now)) {
            return lost;
          }
          return release(holder, now).then(attempt)
              .onErrorResume(Failures::isDuplicateKey, again -> lost);
        })
        .switchIfEmpty(attempt.onErrorResume(Failures::isDuplicateKey, again -> lost)));
  }

  @Override
  public Mono<Long> clear() {
    return runLong("clear", () -> firstWithinTimeout(dbMany(collection.find(
                new BsonDocument(TOMBSTONE, new BsonDocument("$exists", BsonBoolean.FALSE)))
            .projection(new BsonDocument(ID, SessionDocuments.one()))))
        .map(doc -> doc.getString(ID).getValue())
        .flatMap(id -> queue.run(id, () -> destroyAttempt(id, 1)).timeout(timeout), 8)
        .filter(Boolean::booleanValue)
        .count());
  }

  @Override
  public Mono<Long> cleanup() {
    return runLong("cleanup", this::cleanupOnce);
  }

  private Mono<Long> cleanupOnce() {
    return Mono.defer(() -> {
      Instant now = now();
      Instant cutoff = now.minus(tombstoneGrace);
      Mono<Long> tombstones = db(collection.deleteMany(new BsonDocument(TOMBSTONE,
              new BsonDocument("$lte", SessionDocuments.date(cutoff)))))
          .map(r -> r.getDeletedCount())
          .timeout(timeout);
      Mono<Long> expired = firstWithinTimeout(dbMany(collection.find(new BsonDocument(EXPIRES,
              new BsonDocument("$lte", SessionDocuments.date(now))))))
          .map(SessionDocuments::decode)
          .filter(s -> s.isExpired(now))
          .flatMap(s -> sweep(s, now).then(db(collection.deleteOne(
              new BsonDocument(ID, new BsonString(s.id()))
                  .append(TOMBSTONE, new BsonDocument("$exists", BsonBoolean.FALSE))
                  .append(EXPIRES, new BsonDocument("$lte", SessionDocuments.date(now)))
                  .append(SWEPT, new BsonDocument("$exists", BsonBoolean.TRUE)))))
              .timeout(timeout), 8)
          .map(r -> r.getDeletedCount())
          .reduce(0L, Long::sum);
      return tombstones.zipWith(expired, Long::sum);
    });
  }

  /**
   * Claims an expired session for its {@code EXPIRED} event: the conditional update succeeds for
   * exactly one caller across every instance, which publishes the event.
   */
  private Mono<Void> sweep(StoredSession stored, Instant now) {
    if (stored.swept()) {
      return Mono.empty();
    }
    BsonDocument filter = expiredAt(stored, now);
    BsonDocument mark = new BsonDocument("$set", new BsonDocument(SWEPT, SessionDocuments.date(now)));
    return db(collection.updateOne(filter, mark))
        .doOnNext(result -> {
          if (result.getMatchedCount() == 1) {
            publish(SessionEvent.Type.EXPIRED, stored.live());
          }
        })
        .then();
  }

  /** One pass of the sweeper: emits EXPIRED for sessions that expired and nobody swept yet. */
  private Mono<Void> sweepExpired() {
    return Mono.defer(() -> {
      if (closed || !events.hasSubscribers()) {
        return Mono.empty();
      }
      Instant now = now();
      BsonDocument filter = new BsonDocument(EXPIRES,
          new BsonDocument("$lte", SessionDocuments.date(now)))
          .append(SWEPT, new BsonDocument("$exists", BsonBoolean.FALSE));
      return firstWithinTimeout(dbMany(collection.find(filter).limit(SWEEP_BATCH)))
          .map(SessionDocuments::decode)
          .filter(s -> s.isExpired(now))
          .flatMap(s -> sweep(s, now).timeout(timeout), 8)
          .then();
    });
  }

  // ---------------------------------------------------------------- events, lifecycle

  @Override
  public long droppedEvents() {
    return events.dropped();
  }

  @Override
  public Flux<SessionEvent> events() {
    return Flux.defer(() -> {
      checkOpen();
      return events.events();
    });
  }

  @Override
  public StoreCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    background.dispose();
    events.close();
    if (ownedClient != null) {
      ownedClient.close();
    }
  }

  @Override
  public String toString() {
    return "MongoSessionStore{" + collection.getNamespace() + (closed ? ", closed" : "") + '}';
  }

  private void start(Duration cleanupInterval, @Nullable Duration sweepInterval) {
    background.add(Flux.interval(cleanupInterval, cleanupInterval, Schedulers.parallel())
        .onBackpressureDrop()
        .concatMap(tick -> cleanupOnce()
            .onErrorResume(e -> {
              LOG.log(System.Logger.Level.WARNING, "session cleanup failed; will retry", e);
              return Mono.empty();
            }), 0)
        .subscribe());
    if (sweepInterval != null && !sweepInterval.isZero()) {
      background.add(Flux.interval(sweepInterval, sweepInterval, Schedulers.parallel())
          .onBackpressureDrop()
          .concatMap(tick -> sweepExpired()
              .onErrorResume(e -> {
                LOG.log(System.Logger.Level.DEBUG, "expired-session sweep failed; will retry", e);
                return Mono.empty();
              }), 0)
          .subscribe());
    }
  }

  // ---------------------------------------------------------------- building blocks

  /** Runs an operation lazily, bounded by the timeout, with failures mapped. */
  private <T> Mono<T> run(String operation, java.util.function.Supplier<Mono<T>> body) {
    return Mono.defer(() -> {
      checkOpen();
      return body.get();
    }).timeout(timeout).onErrorMap(e -> Failures.map(operation, e));
  }

  /**
   * Runs an operation that may touch many documents: each round trip is bounded by the timeout
   * instead of the whole, so that a large clear or cleanup finishes while a lost backend still fails
   * fast.
   */
  private <T> Mono<T> runLong(String operation, java.util.function.Supplier<Mono<T>> body) {
    return Mono.defer(() -> {
      checkOpen();
      return body.get();
    }).onErrorMap(e -> Failures.map(operation, e));
  }

  /** Times out a stream that yields nothing within the timeout; later items are not timed. */
  private <T> Flux<T> firstWithinTimeout(Flux<T> flux) {
    return flux.timeout(Mono.delay(timeout), item -> Mono.never());
  }

  /** Checks an argument inside an operation, so that the error is signalled, not thrown. */
  private static <T> T required(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    return value;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the session store is closed");
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * Subscribes to a driver operation. On a non-blocking Reactor thread the subscription moves to a
   * thread that may block: the driver takes brief internal locks when it enqueues work, and under
   * contention those park the thread.
   */
  private static <T> Mono<T> db(Publisher<T> operation) {
    return Mono.defer(() -> Schedulers.isInNonBlockingThread()
        ? Mono.from(operation).subscribeOn(Schedulers.boundedElastic())
        : Mono.from(operation));
  }

  /** Like {@link #db(Publisher)}, for operations with many results. */
  private static <T> Flux<T> dbMany(Publisher<T> operation) {
    return Flux.defer(() -> Schedulers.isInNonBlockingThread()
        ? Flux.from(operation).subscribeOn(Schedulers.boundedElastic())
        : Flux.from(operation));
  }

  private Mono<StoredSession> read(String id) {
    return db(collection.find(new BsonDocument(ID, new BsonString(id))).first())
        .map(SessionDocuments::decode);
  }

  private Mono<java.util.Optional<StoredSession>> readOptional(String id) {
    return read(id).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty());
  }

  /** Matches the stored state if it is still at its version and neither destroyed nor expired. */
  private static BsonDocument liveAt(StoredSession stored, Instant now) {
    return new BsonDocument(ID, new BsonString(stored.id()))
        .append(VERSION, new BsonInt64(stored.version()))
        .append(TOMBSTONE, new BsonDocument("$exists", BsonBoolean.FALSE))
        .append(EXPIRES, new BsonDocument("$not",
            new BsonDocument("$lte", SessionDocuments.date(now))));
  }

  /** Matches an expired stored state at its version, in the sweep state it was read in. */
  private static BsonDocument expiredAt(StoredSession stored, Instant now) {
    return new BsonDocument(ID, new BsonString(stored.id()))
        .append(VERSION, new BsonInt64(stored.version()))
        .append(TOMBSTONE, new BsonDocument("$exists", BsonBoolean.FALSE))
        .append(EXPIRES, new BsonDocument("$lte", SessionDocuments.date(now)))
        .append(SWEPT, new BsonDocument("$exists", BsonBoolean.valueOf(stored.swept())));
  }

  /** Live sessions: neither tombstones nor expired at {@code now}. */
  private static BsonDocument liveFilter(Instant now) {
    return new BsonDocument(TOMBSTONE, new BsonDocument("$exists", BsonBoolean.FALSE))
        .append(EXPIRES, new BsonDocument("$not",
            new BsonDocument("$lte", SessionDocuments.date(now))));
  }

  /** Inserts a new document; false if the id is taken. Resolves a claim conflict first. */
  private Mono<Boolean> insert(Session session, RawBsonDocument doc) {
    return withClaim(session, () -> db(collection.insertOne(doc)).thenReturn(true), true);
  }

  /** Replaces the document matched by the filter; false if nothing matched. */
  private Mono<Boolean> replace(BsonDocument filter, Session session, RawBsonDocument doc) {
    return withClaim(session, () -> db(collection.replaceOne(filter, doc))
        .map(result -> result.getMatchedCount() == 1), false);
  }

  /**
   * Runs a write that may carry an exclusive claim. When the unique claim index refuses it, finds the
   * holder: a live other session means {@link PrincipalConflictException}; a dead one (expired, its
   * claim not yet released) is released and the write tried once more.
   */
  private Mono<Boolean> withClaim(Session session, java.util.function.Supplier<Mono<Boolean>> write,
      boolean isInsert) {
    Mono<Boolean> first = Mono.defer(write);
    String principal = session.principal();
    return first.onErrorResume(Failures::isDuplicateKey, e -> {
      if (principal == null || !session.exclusive()) {
        return isInsert ? Mono.just(false) : Mono.error(e);
      }
      return holder(principal).flatMap(holder -> {
        Instant now = now();
        if (holder.id().equals(session.id())) {
          return isInsert ? Mono.just(false) : Mono.error(e);
        }
        if (holder.isLive(now)) {
          return Mono.<Boolean>error(new PrincipalConflictException(principal));
        }
        return release(holder, now).then(Mono.defer(write));
      }).switchIfEmpty(Mono.defer(() -> isInsert
          // Nobody holds the claim: the insert failed on the id, or the holder just let go.
          ? db(collection.find(new BsonDocument(ID, new BsonString(session.id()))).first())
              .map(found -> false)
              .switchIfEmpty(Mono.defer(write))
          : Mono.defer(write)));
    }).onErrorMap(Failures::isDuplicateKey,
        e -> new PrincipalConflictException(Objects.requireNonNull(session.principal())));
  }

  /**
   * Checks that writing {@code next} binds no principal that another live session holds exclusively
   * (R5.2), and releases a claim that an expired session still holds. Nothing to check when the
   * write keeps the binding the session already has.
   *
   * @param next the session about to be written
   * @param current its live stored state, or null if it has none
   */
  private Mono<Void> checkBinding(Session next, @Nullable Session current) {
    String principal = next.principal();
    if (principal == null) {
      return Mono.empty();
    }
    boolean newBinding = current == null || !principal.equals(current.principal());
    boolean newClaim = next.exclusive() && (current == null || newBinding || !current.exclusive());
    if (!newBinding && !newClaim) {
      return Mono.empty();
    }
    return holder(principal).flatMap(holder -> {
      Instant now = now();
      if (holder.id().equals(next.id())) {
        return Mono.empty();
      }
      if (holder.isLive(now)) {
        return Mono.error(new PrincipalConflictException(principal));
      }
      return newClaim ? release(holder, now) : Mono.empty();
    });
  }

  /** The document holding a principal's exclusive claim, if any. */
  private Mono<StoredSession> holder(String principal) {
    return db(collection.find(new BsonDocument(CLAIM, new BsonString(principal))).first())
        .map(SessionDocuments::decode);
  }

  /** Releases the claim of an expired session; the filter makes sure it is still expired. */
  private Mono<Void> release(StoredSession holder, Instant now) {
    return db(collection.updateOne(
            new BsonDocument(ID, new BsonString(holder.id()))
                .append(EXPIRES, new BsonDocument("$lte", SessionDocuments.date(now))),
            new BsonDocument("$unset", new BsonDocument(CLAIM, new BsonString("")))))
        .then();
  }

  private Mono<Void> backOff(int attempt) {
    long cap = Math.min(64, 1L << Math.min(attempt, 6));
    return Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1)),
        Schedulers.parallel()).then();
  }

  private void publish(SessionEvent.Type type, Session session) {
    if (events.hasSubscribers()) {
      events.publish(new SessionEvent(type, session.id(), session, clock.instant()));
    }
  }

  private static Duration positive(StoreOptions options, Option<Duration> option) {
    Duration value = options.require(option);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException("option " + option.name() + " must be positive, was "
          + value);
    }
    return value;
  }

  /**
   * Configures and opens a {@link MongoSessionStore}. Not thread-safe.
   */
  public static final class Builder {
    private final MongoDatabase database;
    private @Nullable MongoClient ownedClient;
    private StoreOptions options = StoreOptions.parse("mongodb:");

    private Builder(MongoDatabase database, @Nullable MongoClient ownedClient) {
      this.database = database;
      this.ownedClient = ownedClient;
    }

    /**
     * Sets the collection that holds the sessions (default {@code sessions}).
     *
     * @param name the collection name
     * @return this builder
     */
    public Builder collection(String name) {
      return option(COLLECTION, Objects.requireNonNull(name, "name"));
    }

    /**
     * Sets one option, such as {@link StoreOptions#MAX_IDLE} or {@link #CREATE_INDEXES}.
     *
     * @param <T> the option's type
     * @param option the option
     * @param value the value; {@code null} where the option allows "none"
     * @return this builder
     */
    public <T> Builder option(Option<T> option, @Nullable T value) {
      options = options.with(option, value);
      return this;
    }

    /**
     * Replaces every option with the given ones (their URI parameters included); later calls to
     * {@link #option} and {@link #collection} add to them.
     *
     * @param options the options
     * @return this builder
     */
    public Builder options(StoreOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    Builder ownedClient(MongoClient client) {
      this.ownedClient = client;
      return this;
    }

    /**
     * Opens the store: checks the options, creates or checks the indexes (unless {@link
     * #CREATE_INDEXES} is false; this waits for MongoDB up to the {@link StoreOptions#TIMEOUT}), and
     * starts the background cleanup.
     *
     * @return the open store
     * @throws IllegalArgumentException naming the problem, if an option is invalid
     * @throws IllegalStateException naming the index, if an existing index conflicts
     * @throws dev.sessionstore.StoreUnavailableException if MongoDB cannot be reached to set up
     *     the indexes
     */
    public MongoSessionStore build() {
      String name = options.require(COLLECTION);
      MongoCollection<BsonDocument> configured = database
          .getCollection(name, BsonDocument.class)
          .withCodecRegistry(MongoClientSettings.getDefaultCodecRegistry())
          .withReadPreference(ReadPreference.primary());
      // Conditional writes need their answers; an unacknowledged write concern cannot give one.
      MongoCollection<BsonDocument> collection = configured.getWriteConcern().isAcknowledged()
          ? configured : configured.withWriteConcern(WriteConcern.ACKNOWLEDGED);
      Duration cleanupInterval = positive(options, StoreOptions.CLEANUP_INTERVAL);
      Duration sweepInterval = options.get(SWEEP_INTERVAL);
      Duration ttlGrace = options.require(TTL_GRACE);
      long ttlSeconds = ttlGrace.getSeconds() + (ttlGrace.getNano() > 0 ? 1 : 0);
      MongoSessionStore store = new MongoSessionStore(collection, ownedClient, options);
      try {
        if (options.require(CREATE_INDEXES)) {
          IndexSetup.ensure(collection, IndexSetup.wanted(ttlSeconds))
              .timeout(store.timeout)
              .onErrorMap(e -> Failures.map("creating the indexes of " + collection.getNamespace(),
                  e))
              .block();
        }
        store.start(cleanupInterval, sweepInterval);
        return store;
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
  }
}
