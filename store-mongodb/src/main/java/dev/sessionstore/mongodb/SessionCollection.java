package dev.sessionstore.mongodb;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Filters.not;
import static com.mongodb.client.model.Filters.or;
import static dev.sessionstore.mongodb.SessionDocuments.ACCESSED;
import static dev.sessionstore.mongodb.SessionDocuments.DEADLINE;
import static dev.sessionstore.mongodb.SessionDocuments.EXCLUSIVE;
import static dev.sessionstore.mongodb.SessionDocuments.ID;
import static dev.sessionstore.mongodb.SessionDocuments.IDLE_EXPIRY;
import static dev.sessionstore.mongodb.SessionDocuments.MAX_IDLE;
import static dev.sessionstore.mongodb.SessionDocuments.PRINCIPAL;
import static dev.sessionstore.mongodb.SessionDocuments.SUCCESSOR;
import static dev.sessionstore.mongodb.SessionDocuments.SWEPT;
import static dev.sessionstore.mongodb.SessionDocuments.TOMBSTONE;
import static dev.sessionstore.mongodb.SessionDocuments.VERSION;
import static dev.sessionstore.mongodb.SessionDocuments.date;

import com.mongodb.MongoSocketException;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.sessionstore.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Every command the store sends to the sessions collection, written with the driver's {@code
 * Filters}, {@code Updates} and {@code Projections}. Single-session commands target {@code _id}
 * (plus conditions on the same document), so they route to one shard of a collection sharded on
 * {@code _id}.
 *
 * <p>The conditions implement the rules that a write must check atomically: a write lands only on a
 * live session (R4.2, "at exactly {@code expiresAt} every write treats it as expired") at the
 * version or binding it was computed from (R2.3, R2.4, R5.2), never on a tombstone (R3.2); the
 * refresh of {@code get}/{@code touch} moves {@code a} and {@code ie} forward only ({@code $max})
 * and never changes the version (R2.3, R4.3). Every answer carries a projection, which also makes
 * the embedded test server copy the document while it holds its lock. Stateless apart from the
 * collection; thread-safe.
 */
final class SessionCollection {

  /** Every field of a session document (the id comes with any projection). */
  static final Bson ALL = Projections.include(SessionDocuments.SESSION_FIELDS);

  private static final FindOneAndUpdateOptions AFTER =
      new FindOneAndUpdateOptions().projection(ALL).returnDocument(ReturnDocument.AFTER);
  private static final FindOneAndUpdateOptions BEFORE =
      new FindOneAndUpdateOptions().projection(ALL).returnDocument(ReturnDocument.BEFORE);
  private static final FindOneAndUpdateOptions VERSION_AFTER =
      new FindOneAndUpdateOptions()
          .projection(Projections.include(VERSION))
          .returnDocument(ReturnDocument.AFTER);

  private final MongoCollection<BsonDocument> collection;

  SessionCollection(MongoCollection<BsonDocument> collection) {
    this.collection = collection;
  }

  MongoCollection<BsonDocument> raw() {
    return collection;
  }

  // ---------------------------------------------------------------- filters

  static Bson id(String id) {
    return eq(ID, id);
  }

  /** Live at {@code now}: not a tombstone, and neither expiry term reached (R4.2). */
  static Bson live(Instant now) {
    BsonDateTime at = date(now);
    return and(exists(TOMBSTONE, false), not(lte(IDLE_EXPIRY, at)), not(lte(DEADLINE, at)));
  }

  /** Expired at {@code now}: not a tombstone, and one expiry term reached. */
  static Bson expired(Instant now) {
    BsonDateTime at = date(now);
    return and(exists(TOMBSTONE, false), or(lte(IDLE_EXPIRY, at), lte(DEADLINE, at)));
  }

  /** The stored binding equals the given one, so a write keeping it needs no claim work. */
  static Bson binding(@Nullable String principal, boolean exclusive) {
    if (principal == null) {
      return exists(PRINCIPAL, false);
    }
    return and(
        eq(PRINCIPAL, principal), exclusive ? eq(EXCLUSIVE, true) : exists(EXCLUSIVE, false));
  }

  private static Bson maxIdle(@Nullable Duration maxIdle) {
    return maxIdle == null ? exists(MAX_IDLE, false) : eq(MAX_IDLE, maxIdle.toMillis());
  }

  // ---------------------------------------------------------------- single session, by _id

  /** Reads one document. */
  Mono<BsonDocument> find(String id) {
    return db(collection.find(id(id)).projection(ALL).first());
  }

  /**
   * The one-round-trip refresh of {@code get}/{@code touch}: when the session is live and its idle
   * limit is {@code guess}, moves {@code a} and {@code ie} forward and returns the document. Empty
   * when the guess is wrong or the session is not live; the caller then reads.
   */
  Mono<BsonDocument> refresh(String id, Instant now, @Nullable Duration guess) {
    // Idempotent ($max), so safe to send again when a pooled connection turns out dead; a replica
    // set's driver retries writes itself, a standalone server's does not.
    return db(collection.findOneAndUpdate(
            and(id(id), live(now), maxIdle(guess)), refreshUpdate(now, guess), AFTER))
        .retryWhen(Retry.max(1).filter(MongoSocketException.class::isInstance));
  }

  /**
   * The refresh after a read: conditional on the idle limit that was read, so {@code ie} stays
   * {@code a + mi}; true if the session was still live.
   */
  Mono<Boolean> refreshRead(String id, Instant now, @Nullable Duration maxIdle) {
    return db(collection.updateOne(
            and(id(id), live(now), maxIdle(maxIdle)), refreshUpdate(now, maxIdle)))
        .map(r -> r.getMatchedCount() == 1);
  }

  private static Bson refreshUpdate(Instant now, @Nullable Duration maxIdle) {
    Bson accessed = Updates.max(ACCESSED, date(now));
    return maxIdle == null
        ? accessed
        : Updates.combine(
            accessed, Updates.max(IDLE_EXPIRY, SessionDocuments.idleExpiry(now, maxIdle)));
  }

  /**
   * The one-round-trip write of a live session whose binding does not change: sets every field,
   * increments the version, and returns the new version; empty if the session is not live, is at
   * another version (when {@code version} is given), or is bound otherwise.
   */
  Mono<Long> writeLive(RawBsonDocument doc, Session next, Instant now, @Nullable Long version) {
    List<Bson> filter =
        new ArrayList<>(
            List.of(id(next.id()), live(now), binding(next.principal(), next.exclusive())));
    if (version != null) {
      filter.add(eq(VERSION, version));
    }
    List<Bson> updates = new ArrayList<>();
    for (String field : doc.keySet()) {
      if (!field.equals(ID) && !field.equals(VERSION)) {
        updates.add(Updates.set(field, doc.get(field)));
      }
    }
    for (String field : SessionDocuments.OPTIONAL) {
      if (!doc.containsKey(field)) {
        updates.add(Updates.unset(field));
      }
    }
    updates.add(Updates.unset(SWEPT));
    updates.add(Updates.inc(VERSION, 1L));
    return db(collection.findOneAndUpdate(and(filter), Updates.combine(updates), VERSION_AFTER))
        .map(found -> found.getNumber(VERSION).longValue());
  }

  /** Replaces a live session at the version read; false if it changed or expired meanwhile. */
  Mono<Boolean> replaceLive(StoredSession stored, Instant now, RawBsonDocument doc) {
    return db(collection.replaceOne(
            and(id(stored.id()), eq(VERSION, stored.version()), live(now)), doc))
        .map(r -> r.getMatchedCount() == 1);
  }

  /**
   * Replaces an expired session, in the sweep state it was read in, by a new one; false if it
   * changed meanwhile.
   */
  Mono<Boolean> replaceExpired(StoredSession stored, Instant now, RawBsonDocument doc) {
    return db(collection.replaceOne(expiredAt(stored, now), doc))
        .map(r -> r.getMatchedCount() == 1);
  }

  /** Inserts a new document; false if the id is taken. */
  Mono<Boolean> insert(RawBsonDocument doc) {
    return db(collection.insertOne(doc))
        .thenReturn(true)
        .onErrorResume(Failures::isDuplicateKey, e -> Mono.just(false));
  }

  /**
   * Turns whatever session the id holds, live or expired, into a tombstone with the next version,
   * in one atomic command; returns the document as it was, or empty if the id holds nothing or a
   * tombstone (R3.2, R1.4).
   *
   * @param successor the new id of a regenerated session, recorded in the tombstone; or null
   */
  Mono<BsonDocument> tombstone(String id, Instant now, @Nullable String successor) {
    List<Bson> updates = new ArrayList<>();
    updates.add(Updates.set(TOMBSTONE, date(now)));
    if (successor != null) {
      updates.add(Updates.set(SUCCESSOR, successor));
    }
    for (String field : SessionDocuments.SESSION_FIELDS) {
      if (!field.equals(VERSION) && !field.equals(TOMBSTONE) && !field.equals(SUCCESSOR)) {
        updates.add(Updates.unset(field));
      }
    }
    updates.add(Updates.inc(VERSION, 1L));
    return db(
        collection.findOneAndUpdate(
            and(id(id), exists(TOMBSTONE, false)), Updates.combine(updates), BEFORE));
  }

  /** Records the new id of a regenerated session in its old id's tombstone. */
  Mono<Void> setSuccessor(String id, String successor) {
    return db(collection.updateOne(
            and(id(id), exists(TOMBSTONE, true)), Updates.set(SUCCESSOR, successor)))
        .then();
  }

  /**
   * Marks an expired session as swept, for its one {@code EXPIRED} event (R4.5): true for exactly
   * one caller across every instance.
   */
  Mono<Boolean> markSwept(StoredSession stored, Instant now) {
    return db(collection.updateOne(expiredAt(stored, now), Updates.set(SWEPT, date(now))))
        .map(r -> r.getMatchedCount() == 1);
  }

  /**
   * Fences an expired session off before its exclusive claim is taken over: its idle expiry moves
   * to the epoch, so that no write begun before the expiry can still land and revive it (R5.3).
   */
  Mono<Boolean> fenceExpired(String id, Instant now) {
    return db(collection.updateOne(
            and(id(id), expired(now)), Updates.set(IDLE_EXPIRY, new BsonDateTime(0))))
        .map(r -> r.getMatchedCount() == 1);
  }

  private static Bson expiredAt(StoredSession stored, Instant now) {
    return and(
        id(stored.id()),
        eq(VERSION, stored.version()),
        expired(now),
        exists(SWEPT, stored.swept()));
  }

  // ---------------------------------------------------------------- many sessions

  /** Counts live sessions without reading them. */
  Mono<Long> countLive(Instant now) {
    return db(collection.countDocuments(live(now)));
  }

  Flux<BsonDocument> findLive(Instant now) {
    return dbMany(collection.find(live(now)).projection(ALL));
  }

  /** Sessions bound to a principal (the principal index); liveness is checked by the caller. */
  Flux<BsonDocument> findByPrincipal(String principal) {
    return dbMany(collection.find(eq(PRINCIPAL, principal)).projection(ALL));
  }

  /** Expired sessions; with {@code unsweptOnly}, those nobody announced yet. */
  Flux<BsonDocument> findExpired(Instant now, boolean unsweptOnly, int limit) {
    Bson filter = unsweptOnly ? and(expired(now), exists(SWEPT, false)) : expired(now);
    return dbMany(collection.find(filter).projection(ALL).limit(limit));
  }

  /** The ids of every document that is not a tombstone. */
  Flux<String> findSessionIds() {
    return dbMany(collection.find(exists(TOMBSTONE, false)).projection(Projections.include(ID)))
        .map(doc -> doc.getString(ID).getValue());
  }

  /** Removes an expired session that was announced (swept); false if it changed meanwhile. */
  Mono<Boolean> deleteSwept(String id, Instant now) {
    return db(collection.deleteOne(and(id(id), expired(now), exists(SWEPT, true))))
        .map(r -> r.getDeletedCount() == 1);
  }

  /** Removes tombstones destroyed at or before the cutoff (R3.4). */
  Mono<Long> deleteTombstones(Instant cutoff) {
    return db(collection.deleteMany(lte(TOMBSTONE, date(cutoff)))).map(r -> r.getDeletedCount());
  }

  // ---------------------------------------------------------------- driver calls

  /**
   * Subscribes to a driver operation. On a non-blocking Reactor thread the subscription moves to a
   * thread that may block: the driver takes brief internal locks when it enqueues work, and under
   * contention those park the thread (R2.7).
   */
  static <T> Mono<T> db(Publisher<T> operation) {
    return Mono.defer(
        () ->
            Schedulers.isInNonBlockingThread()
                ? Mono.from(operation).subscribeOn(Schedulers.boundedElastic())
                : Mono.from(operation));
  }

  /** Like {@link #db(Publisher)}, for operations with many results. */
  static <T> Flux<T> dbMany(Publisher<T> operation) {
    return Flux.defer(
        () ->
            Schedulers.isInNonBlockingThread()
                ? Flux.from(operation).subscribeOn(Schedulers.boundedElastic())
                : Flux.from(operation));
  }

  /**
   * Whether a raw document (one that may not decode) is expired at {@code now}, from its two expiry
   * terms alone.
   */
  static boolean isExpiredDocument(BsonDocument doc, Instant now) {
    for (String term : List.of(IDLE_EXPIRY, DEADLINE)) {
      BsonValue value = doc.get(term);
      if (value != null
          && value.isDateTime()
          && value.asDateTime().getValue() <= now.toEpochMilli()) {
        return true;
      }
    }
    return false;
  }
}
