package dev.sessionstore.mongodb;

import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import dev.sessionstore.spi.StoreSettings;
import java.time.Duration;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * The MongoDB store's options, read and checked once when the store opens (R9.1): the common
 * options through {@link StoreSettings} (the same bounds and messages as every store), the store's
 * own, and the driver's connection-string options passed through ({@link DriverOptions}).
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
    @Nullable Duration maxIdle,
    Duration touchThreshold,
    Duration tombstoneGrace,
    long maxBytes,
    Duration timeout,
    Duration cleanupInterval,
    @Nullable Duration sweepInterval,
    InstantSource clock,
    SessionIdGenerator ids,
    Scheduler scheduler,
    String collection,
    String claimsCollection,
    boolean createIndexes,
    boolean forbidUniqueIndexes,
    long ttlGraceSeconds,
    int eventBuffer,
    int updateAttempts) {

  /** MongoDB's limit on a document's size. */
  static final long MONGODB_MAX_BYTES = 16L * 1024 * 1024;

  /**
   * What the store accepts: the common options, its own, and the driver's connection-string
   * options.
   */
  static final StoreSettings.Reader READER =
      StoreSettings.reader("MongoDB session store", "mongodb", "mongodb+srv")
          .own(MongoSessionStore.OWN_OPTIONS.toArray(new Option<?>[0]))
          .clientParameters("MongoDB connection string", DriverOptions.NAMES);

  static MongoSettings read(StoreOptions options) {
    return of(READER.read(options));
  }

  static MongoSettings of(StoreSettings common) {
    String collection = common.require(MongoSessionStore.COLLECTION);
    String claims = common.get(MongoSessionStore.CLAIMS_COLLECTION);
    Duration ttlGrace = common.require(MongoSessionStore.TTL_GRACE);
    return new MongoSettings(
        common.maxIdle(),
        common.touchThreshold(),
        common.tombstoneGrace(),
        Math.min(common.maxSessionBytes(), MONGODB_MAX_BYTES),
        common.timeout(),
        common.cleanupInterval(),
        common.get(MongoSessionStore.SWEEP_INTERVAL),
        common.clock(),
        common.idGenerator(),
        common.scheduler(),
        collection,
        claims == null || claims.isEmpty() ? collection + "_claims" : claims,
        common.require(MongoSessionStore.CREATE_INDEXES),
        common.require(MongoSessionStore.FORBID_UNIQUE_INDEXES),
        ttlGrace.getSeconds() + (ttlGrace.getNano() > 0 ? 1 : 0),
        (int) Math.min(common.require(MongoSessionStore.EVENT_BUFFER), Integer.MAX_VALUE),
        (int) Math.min(common.require(MongoSessionStore.UPDATE_ATTEMPTS), 10_000));
  }
}
