package dev.sessionstore.mongodb;

import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import java.time.Duration;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The MongoDB store's options, read and checked once when the store opens (R9.1): the common
 * options with the same bounds and messages as every store, and the store's own.
 *
 * @param maxIdle the default idle limit, or null for none
 * @param touchThreshold how old a refresh must be before reads write a new one
 * @param tombstoneGrace how long tombstones stay
 * @param maxBytes the size limit of a session document
 * @param timeout the time limit of each operation
 * @param cleanupInterval how often the store runs cleanup
 * @param sweepInterval how often an instance with subscribers looks for expired sessions, or null
 * @param clock the store clock
 * @param ids the id generator
 * @param scheduler where periodic work runs
 * @param collection the sessions collection
 * @param claimsCollection the exclusive claims collection
 * @param createIndexes whether to create indexes at open
 * @param forbidUniqueIndexes whether open refuses unique secondary indexes (the sharded layout)
 * @param ttlGraceSeconds how long after expiry MongoDB's TTL monitor may delete a session
 * @param eventBuffer events buffered per subscriber
 * @param updateAttempts how often a conditional write is tried against other instances' writes
 */
record MongoSettings(
    @Nullable Duration maxIdle, Duration touchThreshold, Duration tombstoneGrace, long maxBytes,
    Duration timeout, Duration cleanupInterval, @Nullable Duration sweepInterval,
    InstantSource clock, SessionIdGenerator ids, Scheduler scheduler, String collection,
    String claimsCollection, boolean createIndexes, boolean forbidUniqueIndexes,
    long ttlGraceSeconds, int eventBuffer, int updateAttempts) {

  /** MongoDB's limit on a document's size. */
  static final long MONGODB_MAX_BYTES = 16L * 1024 * 1024;

  static MongoSettings read(StoreOptions options) {
    Duration maxIdle = options.get(StoreOptions.MAX_IDLE);
    if (maxIdle != null) {
      if (maxIdle.isNegative() || maxIdle.truncatedTo(ChronoUnit.MILLIS).isZero()) {
        throw new IllegalArgumentException("option maxIdle must be at least one millisecond, was "
            + maxIdle + "; use 'none' for no idle limit");
      }
      maxIdle = maxIdle.truncatedTo(ChronoUnit.MILLIS);
    }
    long limit = options.require(StoreOptions.MAX_SESSION_BYTES);
    if (limit < 1) {
      throw new IllegalArgumentException("option maxSessionBytes must be positive, was " + limit);
    }
    String collection = options.require(MongoSessionStore.COLLECTION);
    String claims = options.get(MongoSessionStore.CLAIMS_COLLECTION);
    Duration ttlGrace = notNegative(options, MongoSessionStore.TTL_GRACE);
    Scheduler scheduler = options.get(StoreOptions.SCHEDULER);
    return new MongoSettings(
        maxIdle,
        notNegative(options, StoreOptions.TOUCH_THRESHOLD),
        notNegative(options, StoreOptions.TOMBSTONE_GRACE),
        Math.min(limit, MONGODB_MAX_BYTES),
        positive(options, StoreOptions.TIMEOUT),
        positive(options, StoreOptions.CLEANUP_INTERVAL),
        options.get(MongoSessionStore.SWEEP_INTERVAL),
        options.require(StoreOptions.CLOCK),
        options.require(StoreOptions.ID_GENERATOR),
        scheduler == null ? Schedulers.parallel() : scheduler,
        collection,
        claims == null || claims.isEmpty() ? collection + "_claims" : claims,
        options.require(MongoSessionStore.CREATE_INDEXES),
        options.require(MongoSessionStore.FORBID_UNIQUE_INDEXES),
        ttlGrace.getSeconds() + (ttlGrace.getNano() > 0 ? 1 : 0),
        (int) Math.min(options.require(MongoSessionStore.EVENT_BUFFER), Integer.MAX_VALUE),
        (int) Math.min(options.require(MongoSessionStore.UPDATE_ATTEMPTS), 10_000));
  }

  private static Duration positive(StoreOptions options, Option<Duration> option) {
    Duration value = options.require(option);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException("option " + option.name() + " must be positive, was "
          + value);
    }
    return value;
  }

  private static Duration notNegative(StoreOptions options, Option<Duration> option) {
    Duration value = options.require(option);
    if (value.isNegative()) {
      throw new IllegalArgumentException("option " + option.name() + " must not be negative, was "
          + value);
    }
    return value;
  }
}
