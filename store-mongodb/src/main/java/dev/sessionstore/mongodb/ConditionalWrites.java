package dev.sessionstore.mongodb;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.spi.SessionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.bson.RawBsonDocument;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The writes of the MongoDB store: each lands with one conditional command that MongoDB checks
 * atomically on the session's document, and a write that lost a race to another instance is tried
 * again under a Reactor {@link Retry} policy with jittered back-off.
 *
 * <p>Rules: R1.1 ({@code create} inserts, never overwrites; the {@code _id} index refuses a taken
 * id), R1.4 ({@code regenerate}: one atomic command tombstones the old id and names the new one,
 * which is then inserted), R2.1/R2.3 (a write replaces the whole data and increments the version by
 * one; {@code saveIfUnchanged} compares versions in its filter), R2.4 ({@code update} writes only
 * on the version its {@code change} saw), R3.2 (tombstones carry on counting versions, no filter
 * matches them, {@code destroy} tombstones expired sessions too), R4.3 (every write is an access),
 * R4.5 (an expired session replaced or destroyed gets its one {@code EXPIRED} unless a sweeper
 * announced it), R5.2 (a write that changes a binding goes through {@link ExclusiveClaims} first
 * and gives a claim back after), R6.3 (the size is checked before anything is sent).
 *
 * <p>Round trips when uncontended: {@code create}, {@code destroy} and {@code save} of a live
 * session whose binding stays 1; {@code update} and {@code regenerate} 2; taking or giving up an
 * exclusive claim adds the claim's own write. Thread-safe.
 */
final class ConditionalWrites {

  private static final int ID_ATTEMPTS = SessionPolicy.ID_ATTEMPTS;

  private final StoreContext ctx;
  private final Retry onLostRace;

  ConditionalWrites(StoreContext ctx) {
    this.ctx = ctx;
    this.onLostRace =
        Retry.backoff(ctx.settings.updateAttempts() - 1L, Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(64))
            .jitter(0.75)
            .filter(LostRace.class::isInstance)
            .onRetryExhaustedThrow((spec, signal) -> signal.failure());
  }

  // ---------------------------------------------------------------- create

  Mono<Session> create(SessionDraft draft) {
    return Mono.defer(
            () -> {
              String id = SessionPolicy.newId(ctx.ids);
              Instant now = ctx.now();
              Session session = SessionPolicy.newSession(draft, id, now, ctx.defaultMaxIdle());
              RawBsonDocument doc = SessionDocuments.encode(session, ctx.settings.maxBytes());
              return bind(null, session, now)
                  .flatMap(
                      took ->
                          ctx.sessions
                              .insert(doc)
                              .flatMap(
                                  inserted ->
                                      inserted
                                          ? Mono.just(session)
                                          : giveBack(took, session)
                                              .then(Mono.error(new IdTaken()))));
            })
        .retryWhen(
            Retry.max(ID_ATTEMPTS - 1)
                .filter(IdTaken.class::isInstance)
                .onRetryExhaustedThrow((spec, signal) -> SessionPolicy.idsExhausted()))
        .doOnNext(s -> ctx.publish(SessionEvent.Type.CREATED, s));
  }

  // ---------------------------------------------------------------- save, saveIfUnchanged

  /** Last writer wins; one round trip when the session is live and its binding stays. */
  Mono<Session> save(Session session) {
    return Mono.defer(
        () -> {
          Instant now = ctx.now();
          Session next = session.toBuilder().lastAccessedAt(now).build();
          RawBsonDocument doc = SessionDocuments.encode(next, ctx.settings.maxBytes());
          return ctx.sessions
              .writeLive(doc, next, now, null)
              .map(version -> updated(next.toBuilder().version(version).build()))
              .switchIfEmpty(Mono.defer(() -> saveRead(session)).retryWhen(onLostRace))
              .onErrorMap(
                  LostRace.class::isInstance,
                  e ->
                      new StaleSessionException(
                          session.id(),
                          session.version(),
                          "a version that kept changing during "
                              + ctx.settings.updateAttempts()
                              + " attempts to save"));
        });
  }

  private Mono<Session> saveRead(Session session) {
    return read(session.id())
        .flatMap(
            found -> {
              StoredSession stored = found.orElse(null);
              Instant now = ctx.now();
              if (stored != null && stored.isTombstone()) {
                return Mono.error(new SessionDestroyedException(session.id()));
              }
              if (stored != null && stored.isLive(now)) {
                Session next =
                    session.toBuilder().lastAccessedAt(now).version(stored.version() + 1).build();
                return writeOver(stored, next, now).map(this::updated);
              }
              // Absent or expired: the save inserts a fresh session at version 1.
              Session next = session.toBuilder().lastAccessedAt(now).version(1).build();
              RawBsonDocument doc = SessionDocuments.encode(next, ctx.settings.maxBytes());
              Session before = stored == null ? null : stored.live();
              return bind(null, next, now)
                  .flatMap(
                      took ->
                          (stored == null
                                  ? ctx.sessions.insert(doc)
                                  : ctx.sessions.replaceExpired(stored, now, doc))
                              .flatMap(
                                  written -> {
                                    if (!written) {
                                      return giveBack(took, next).then(Mono.error(new LostRace()));
                                    }
                                    if (stored != null && !stored.swept()) {
                                      ctx.publish(SessionEvent.Type.EXPIRED, stored.live());
                                    }
                                    ctx.publish(SessionEvent.Type.CREATED, next);
                                    return unbind(before, next).thenReturn(next);
                                  }));
            });
  }

  /** Compare-and-set on the version; one round trip when it succeeds and the binding stays. */
  Mono<Session> saveIfUnchanged(Session session) {
    return Mono.defer(
        () -> {
          Instant now = ctx.now();
          Session next = session.toBuilder().lastAccessedAt(now).build();
          RawBsonDocument doc = SessionDocuments.encode(next, ctx.settings.maxBytes());
          return ctx.sessions
              .writeLive(doc, next, now, session.version())
              .map(version -> updated(next.toBuilder().version(version).build()))
              .switchIfEmpty(
                  Mono.defer(
                      () ->
                          read(session.id())
                              .flatMap(
                                  found -> {
                                    StoredSession stored = found.orElse(null);
                                    Instant at = ctx.now();
                                    Throwable refused = refusal(session, stored, at);
                                    if (refused != null) {
                                      return Mono.error(refused);
                                    }
                                    StoredSession current = Objects.requireNonNull(stored);
                                    Session write =
                                        session.toBuilder()
                                            .lastAccessedAt(at)
                                            .version(current.version() + 1)
                                            .build();
                                    return writeOver(current, write, at).map(this::updated);
                                  })))
              .onErrorResume(
                  LostRace.class::isInstance,
                  e ->
                      read(session.id())
                          .flatMap(
                              again -> {
                                Throwable why = refusal(session, again.orElse(null), ctx.now());
                                return Mono.error(
                                    why != null
                                        ? why
                                        : new StaleSessionException(
                                            session.id(),
                                            session.version(),
                                            "a version that changed while it was being written"));
                              }));
        });
  }

  /** Why a compare-and-set write of {@code session} cannot apply to what is stored, or null. */
  private static @Nullable Throwable refusal(
      Session session, @Nullable StoredSession stored, Instant now) {
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
      return new StaleSessionException(
          session.id(), session.version(), "version " + stored.version());
    }
    return null;
  }

  // ---------------------------------------------------------------- update

  /** Read, change, write at the version read: two round trips when uncontended. */
  Mono<Session> update(String id, UnaryOperator<Session> change) {
    return Mono.defer(
            () ->
                read(id)
                    .flatMap(
                        found -> {
                          StoredSession stored = found.orElse(null);
                          Instant now = ctx.now();
                          if (stored == null || !stored.isLive(now)) {
                            return Mono.empty();
                          }
                          Session changed =
                              SessionPolicy.checkChange(id, change.apply(stored.live()));
                          Session next =
                              changed.toBuilder()
                                  .lastAccessedAt(now)
                                  .version(stored.version() + 1)
                                  .build();
                          return writeOver(stored, next, now).map(this::updated);
                        }))
        .retryWhen(onLostRace)
        .onErrorMap(
            LostRace.class::isInstance,
            e ->
                new StaleSessionException(
                    id,
                    -1,
                    "a version that kept changing during "
                        + ctx.settings.updateAttempts()
                        + " attempts to update"));
  }

  /**
   * Writes {@code next} over the live {@code stored} state, with the claim work its binding needs.
   */
  private Mono<Session> writeOver(StoredSession stored, Session next, Instant now) {
    RawBsonDocument doc = SessionDocuments.encode(next, ctx.settings.maxBytes());
    Session before = stored.live();
    return bind(before, next, now)
        .flatMap(
            took ->
                ctx.sessions
                    .replaceLive(stored, now, doc)
                    .flatMap(
                        written ->
                            written
                                ? unbind(before, next).thenReturn(next)
                                : giveBack(took, next).then(Mono.error(new LostRace()))));
  }

  private Session updated(Session session) {
    ctx.publish(SessionEvent.Type.UPDATED, session);
    return session;
  }

  // ---------------------------------------------------------------- destroy, regenerate

  /** One atomic command tombstones the session, live or expired (R3.2); true if it was live. */
  Mono<Boolean> destroy(String id) {
    return Mono.defer(
        () -> {
          Instant now = ctx.now();
          return ctx.sessions
              .tombstone(id, now, null)
              .flatMap(
                  before -> {
                    Optional<StoredSession> stored = ctx.decodeOrSkip(before);
                    if (stored.isEmpty() || stored.get().isTombstone()) {
                      return Mono.just(!SessionCollection.isExpiredDocument(before, now));
                    }
                    StoredSession gone = stored.get();
                    boolean live = gone.isLive(now);
                    if (live) {
                      ctx.publish(SessionEvent.Type.DESTROYED, gone.live());
                    } else if (!gone.swept()) {
                      ctx.publish(SessionEvent.Type.EXPIRED, gone.live());
                    }
                    return release(gone.live()).thenReturn(live);
                  })
              .defaultIfEmpty(false);
        });
  }

  /**
   * Tombstones the old id naming the new one, then inserts the new id: two round trips, plus the
   * claim's move for an exclusive session. Of a destroy and a regenerate racing on one id, only the
   * one whose command tombstones it succeeds (R1.4).
   */
  Mono<Session> regenerate(String id) {
    return Mono.defer(
        () -> {
          Instant now = ctx.now();
          String newId = SessionPolicy.newId(ctx.ids);
          return ctx.sessions
              .tombstone(id, now, newId)
              .flatMap(
                  before -> {
                    StoredSession stored = SessionDocuments.decode(before);
                    if (!stored.isLive(now)) {
                      if (!stored.swept()) {
                        ctx.publish(SessionEvent.Type.EXPIRED, stored.live());
                      }
                      return release(stored.live()).then(Mono.<Session>empty());
                    }
                    Session old = stored.live();
                    return insertMoved(id, old, newId, now, 1)
                        .flatMap(
                            moved -> {
                              Mono<Void> claim =
                                  old.exclusive()
                                      ? ctx.claims.move(
                                          Objects.requireNonNull(old.principal()),
                                          id,
                                          moved.id(),
                                          moved.expiresAt())
                                      : Mono.empty();
                              return claim.then(
                                  Mono.fromCallable(
                                      () -> {
                                        ctx.publish(SessionEvent.Type.DESTROYED, old);
                                        ctx.publish(SessionEvent.Type.CREATED, moved);
                                        return moved;
                                      }));
                            });
                  });
        });
  }

  private Mono<Session> insertMoved(
      String oldId, Session old, String newId, Instant now, int attempt) {
    Session moved = SessionPolicy.regenerated(old, newId, now);
    RawBsonDocument doc = SessionDocuments.encode(moved, MongoSettings.MONGODB_MAX_BYTES);
    return ctx.sessions
        .insert(doc)
        .flatMap(
            inserted -> {
              if (inserted) {
                return Mono.just(moved);
              }
              if (attempt >= ID_ATTEMPTS) {
                return Mono.error(SessionPolicy.idsExhausted());
              }
              String another = SessionPolicy.newId(ctx.ids);
              return ctx.sessions
                  .setSuccessor(oldId, another)
                  .then(insertMoved(oldId, old, another, now, attempt + 1));
            });
  }

  // ---------------------------------------------------------------- bindings

  /**
   * The claim work before writing {@code after} over {@code before} (R5.2): a new exclusive binding
   * takes the claim, a new non-exclusive binding checks that nobody holds it.
   *
   * @return whether a claim was taken for this write (to give back if the write does not land)
   */
  private Mono<Boolean> bind(@Nullable Session before, Session after, Instant now) {
    String principal = after.principal();
    if (principal == null) {
      return Mono.just(false);
    }
    boolean samePrincipal = before != null && principal.equals(before.principal());
    boolean heldBefore = before != null && before.exclusive();
    if (after.exclusive()) {
      return samePrincipal && heldBefore
          ? Mono.just(false)
          : ctx.claims.take(principal, after.id(), after.expiresAt(), now);
    }
    return samePrincipal
        ? Mono.just(false)
        : ctx.claims.checkFree(principal, after.id(), now).thenReturn(false);
  }

  /** After a write landed: gives up the claim {@code before} held if {@code after} dropped it. */
  private Mono<Void> unbind(@Nullable Session before, Session after) {
    if (before == null
        || !before.exclusive()
        || after.exclusive() && Objects.equals(before.principal(), after.principal())) {
      return Mono.empty();
    }
    return release(before);
  }

  /** After a write did not land: gives back the claim taken for it. */
  private Mono<Void> giveBack(boolean took, Session session) {
    return took ? release(session) : Mono.empty();
  }

  private Mono<Void> release(Session session) {
    String principal = session.principal();
    return principal != null && session.exclusive()
        ? ctx.claims.release(principal, session.id())
        : Mono.empty();
  }

  private Mono<Optional<StoredSession>> read(String id) {
    return ctx.sessions
        .find(id)
        .map(doc -> Optional.of(SessionDocuments.decode(doc)))
        .defaultIfEmpty(Optional.empty());
  }

  /** A conditional write found the document changed by another writer. */
  static final class LostRace extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LostRace() {
      super("the session changed while it was being written", null, false, false);
    }
  }

  /** The id generator produced an id in use. */
  private static final class IdTaken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    IdTaken() {
      super("id in use", null, false, false);
    }
  }
}
