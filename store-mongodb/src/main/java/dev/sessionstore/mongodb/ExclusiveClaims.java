package dev.sessionstore.mongodb;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static dev.sessionstore.mongodb.SessionCollection.db;

import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.sessionstore.PrincipalConflictException;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Exclusive principal claims (R5.2, R5.3), in a collection of their own keyed by principal, so that
 * both collections can be sharded on {@code _id} and neither needs a unique secondary index.
 *
 * <p>A claim document is {@code {_id: principal, s: holder session id, k: token, e: holder's expiry
 * when claimed}}. A session is exclusively bound when its own document says so ({@code x}); the
 * claim document is what makes two claims exclusive of each other: it is taken with an insert (the
 * {@code _id} index refuses a second one) or, when stale, with a compare-and-set on its token, so
 * of two racing claims exactly one wins, across instances and without transactions.
 *
 * <p>A claim is stale, and taken over at once, when its holder's document is a tombstone
 * (destroyed) or expired (R5.3); an expired holder is first fenced off (its idle expiry set to the
 * epoch) so that a write of it that began before its expiry cannot land and revive it. The
 * tombstone of a regenerated session names its successor, and the claim follows it. When the
 * holder's document is missing or not (yet) exclusive, the claim may belong to a write in flight (a
 * claim is written before its session), so it is taken over only once its recorded expiry {@code e}
 * has passed: a crash between the two writes never locks the principal beyond that session's
 * expiry. Writes that drop a claim delete its document ({@link #release}). Thread-safe.
 */
final class ExclusiveClaims {

  static final String HOLDER = "s";
  static final String TOKEN = "k";
  static final String EXPIRES = "e";
  private static final int HOPS = 4;

  private final MongoCollection<BsonDocument> claims;
  private final SessionCollection sessions;

  ExclusiveClaims(MongoCollection<BsonDocument> claims, SessionCollection sessions) {
    this.claims = claims;
    this.sessions = sessions;
  }

  MongoCollection<BsonDocument> raw() {
    return claims;
  }

  /** What a claim's holder turned out to be. */
  private enum HolderState {
    HOLDS,
    STALE,
    EXPIRED,
    UNSURE
  }

  private record Holder(String id, HolderState state) {}

  /**
   * Takes the principal's claim for a session.
   *
   * @param principal the principal
   * @param id the session that claims it
   * @param expiresAt the session's expiry as it is about to be written, or null for never
   * @param now the store clock's time
   * @return true if this call wrote the claim (so a failed session write must {@link #release} it),
   *     false if the session already held it; an error {@link PrincipalConflictException} if a live
   *     other session holds it
   */
  Mono<Boolean> take(String principal, String id, @Nullable Instant expiresAt, Instant now) {
    BsonDocument claim =
        new BsonDocument("_id", new BsonString(principal))
            .append(HOLDER, new BsonString(id))
            .append(TOKEN, new BsonInt64(ThreadLocalRandom.current().nextLong()));
    if (expiresAt != null) {
      claim.append(EXPIRES, SessionDocuments.date(expiresAt));
    }
    Mono<Boolean> attempt =
        db(claims.insertOne(claim))
            .thenReturn(true)
            .onErrorResume(Failures::isDuplicateKey, e -> takeOver(principal, id, claim, now));
    // A lost compare-and-set means another claimant moved first: look again.
    return attempt
        .retryWhen(Retry.max(3).filter(LostRace.class::isInstance))
        .onErrorMap(LostRace.class::isInstance, e -> new PrincipalConflictException(principal));
  }

  private Mono<Boolean> takeOver(String principal, String id, BsonDocument claim, Instant now) {
    return db(claims.find(eq("_id", principal)).first())
        .switchIfEmpty(Mono.error(new LostRace()))
        .flatMap(
            current -> {
              String holderId = current.getString(HOLDER).getValue();
              if (holderId.equals(id)) {
                return Mono.just(false);
              }
              return resolve(principal, holderId, now, 0)
                  .flatMap(
                      holder -> {
                        if (holder.id().equals(id)) {
                          return Mono.just(false);
                        }
                        boolean lapsed = isLapsed(current, now);
                        return switch (holder.state()) {
                          case HOLDS -> Mono.error(new PrincipalConflictException(principal));
                          case UNSURE ->
                              lapsed
                                  ? replace(current, claim)
                                  : Mono.error(new PrincipalConflictException(principal));
                          case EXPIRED ->
                              sessions.fenceExpired(holder.id(), now).then(replace(current, claim));
                          case STALE -> replace(current, claim);
                        };
                      });
            });
  }

  private Mono<Boolean> replace(BsonDocument current, BsonDocument claim) {
    return db(claims.replaceOne(
            and(eq("_id", current.get("_id")), eq(TOKEN, current.get(TOKEN))), claim))
        .flatMap(r -> r.getMatchedCount() == 1 ? Mono.just(true) : Mono.error(new LostRace()));
  }

  /** Follows a claim's holder through regenerations to the session that holds it now. */
  private Mono<Holder> resolve(String principal, String holderId, Instant now, int hops) {
    return sessions
        .find(holderId)
        .map(
            doc -> {
              try {
                return SessionDocuments.decode(doc);
              } catch (RuntimeException e) {
                return null;
              }
            })
        .flatMap(
            stored -> {
              if (stored == null) {
                return Mono.just(new Holder(holderId, HolderState.UNSURE));
              }
              if (stored.isTombstone()) {
                String successor = stored.successor();
                return successor != null && hops < HOPS
                    ? resolve(principal, successor, now, hops + 1)
                    : Mono.just(new Holder(holderId, HolderState.STALE));
              }
              if (!stored.isLive(now)) {
                return Mono.just(new Holder(holderId, HolderState.EXPIRED));
              }
              boolean holds =
                  stored.live().exclusive() && principal.equals(stored.live().principal());
              return Mono.just(
                  new Holder(holderId, holds ? HolderState.HOLDS : HolderState.UNSURE));
            })
        .defaultIfEmpty(new Holder(holderId, HolderState.UNSURE));
  }

  private static boolean isLapsed(BsonDocument claim, Instant now) {
    BsonValue e = claim.get(EXPIRES);
    return e != null && e.isDateTime() && e.asDateTime().getValue() <= now.toEpochMilli();
  }

  /**
   * Checks that a principal can be bound non-exclusively to a session: no live other session holds
   * it exclusively (R5.2).
   */
  Mono<Void> checkFree(String principal, String id, Instant now) {
    return db(claims.find(eq("_id", principal)).first())
        .flatMap(
            current -> {
              String holderId = current.getString(HOLDER).getValue();
              if (holderId.equals(id)) {
                return Mono.<Void>empty();
              }
              return resolve(principal, holderId, now, 0)
                  .flatMap(
                      holder ->
                          holder.state() == HolderState.HOLDS && !holder.id().equals(id)
                                  || holder.state() == HolderState.UNSURE
                                      && !isLapsed(current, now)
                                      && !holder.id().equals(id)
                              ? Mono.<Void>error(new PrincipalConflictException(principal))
                              : Mono.<Void>empty());
            });
  }

  /** Gives up a session's claim, if it still holds it. */
  Mono<Void> release(String principal, String id) {
    return db(claims.deleteOne(and(eq("_id", principal), eq(HOLDER, id)))).then();
  }

  /** Hands a regenerated session's claim to its new id (the old tombstone already points there). */
  Mono<Void> move(String principal, String from, String to, @Nullable Instant expiresAt) {
    return db(claims.updateOne(
            and(eq("_id", principal), eq(HOLDER, from)),
            Updates.combine(
                Updates.set(HOLDER, to),
                expiresAt == null
                    ? Updates.unset(EXPIRES)
                    : Updates.set(
                        EXPIRES, new BsonDateTime(SessionDocuments.date(expiresAt).getValue())))))
        .then();
  }

  /** A compare-and-set on a claim lost to another claimant. */
  private static final class LostRace extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LostRace() {
      super("lost a race for a claim", null, false, false);
    }
  }
}
