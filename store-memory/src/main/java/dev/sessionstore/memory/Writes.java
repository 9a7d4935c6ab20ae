package dev.sessionstore.memory;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionTooLargeException;
import dev.sessionstore.StaleSessionException;
import dev.sessionstore.memory.Principals.Binding;
import dev.sessionstore.memory.SessionTable.Decision;
import dev.sessionstore.memory.Slot.Stored;
import dev.sessionstore.memory.Slot.Tombstone;
import dev.sessionstore.spi.SessionPolicy;
import dev.sessionstore.spi.StoreSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Each write of the memory store, and the refreshing reads, as steps in the {@link SessionTable}:
 * what {@code create}, {@code save}, {@code saveIfUnchanged}, {@code update}, {@code get}/{@code
 * touch}, {@code destroy} and {@code regenerate} decide for one id while it is locked. Rules: R1.1
 * (fresh ids, {@link SessionPolicy#ID_ATTEMPTS} draws), R1.4 (regenerate: the old id is tombstoned
 * and its claim handed over in one step, so a racing update either lands before and moves with it,
 * or finds the tombstone), R2.3/R2.4 (versions; {@code change} runs exactly once, inside the lock),
 * R3.2 (a tombstone on every destroy of a held id, live or expired), R4.3 (refresh rules), R5.2
 * (claims), R6.3 (size). Runs synchronously on the caller's thread; thread-safe.
 */
final class Writes {

  private final SessionTable table;
  private final Principals principals;
  private final Capacity capacity;
  private final StoreTime time;
  private final SessionIdGenerator ids;
  private final @Nullable Duration defaultMaxIdle;
  private final Duration touchThreshold;
  private final long maxSessionBytes;

  /** Set while this thread runs an update's change function, to catch calls back into the store. */
  private final ThreadLocal<@Nullable Boolean> inChange = new ThreadLocal<>();

  Writes(SessionTable table, Capacity capacity, StoreTime time, StoreSettings settings) {
    this.table = table;
    this.principals = table.principals();
    this.capacity = capacity;
    this.time = time;
    this.ids = settings.idGenerator();
    this.defaultMaxIdle = settings.maxIdle();
    this.touchThreshold = settings.touchThreshold();
    this.maxSessionBytes = settings.maxSessionBytes();
  }

  @Nullable Session create(SessionDraft draft) {
    checkSize(draft.data());
    capacity.add(table::removeDueQuickly);
    boolean inserted = false;
    try {
      for (int attempt = 0; attempt < SessionPolicy.ID_ATTEMPTS; attempt++) {
        String id = SessionPolicy.newId(ids);
        Result result =
            table.apply(
                id,
                (slot, expired, now) -> {
                  if (slot != null) {
                    return new Decision(slot, Result.IN_USE);
                  }
                  Session session = SessionPolicy.newSession(draft, id, now, defaultMaxIdle);
                  if (principals.bind(null, session, now) != Binding.OK) {
                    return new Decision(
                        null,
                        new Result.Failure(
                            new PrincipalConflictException(
                                Objects.requireNonNull(session.principal()))));
                  }
                  return table.insert(session, now);
                });
        if (result != Result.IN_USE) {
          inserted = result instanceof Result.Value;
          return result.session();
        }
      }
      throw SessionPolicy.idsExhausted();
    } finally {
      if (!inserted) {
        capacity.remove();
      }
    }
  }

  @Nullable Session save(Session session) {
    checkSize(session.data());
    return table
        .apply(
            session.id(),
            (slot, expired, now) -> {
              if (slot instanceof Tombstone) {
                return new Decision(
                    slot, new Result.Failure(new SessionDestroyedException(session.id())));
              }
              Decision written = table.write((Stored) slot, session, now);
              // The stored state had expired (its claim was taken over): write it anew, as over an
              // absent id.
              return written.result() == Result.LOST ? table.write(null, session, now) : written;
            })
        .session();
  }

  @Nullable Session saveIfUnchanged(Session session) {
    checkSize(session.data());
    String id = session.id();
    return table
        .apply(
            id,
            (slot, expired, now) -> {
              if (slot instanceof Tombstone) {
                return new Decision(slot, new Result.Failure(new SessionDestroyedException(id)));
              }
              if (!(slot instanceof Stored stored)) {
                return new Decision(null, stale(session, "nothing"));
              }
              long version = stored.session().version();
              if (version != session.version()) {
                return new Decision(slot, stale(session, "version " + version));
              }
              Decision written = table.write(stored, session, now);
              return written.result() == Result.LOST
                  ? new Decision(null, stale(session, "nothing"))
                  : written;
            })
        .session();
  }

  @Nullable Session update(String id, UnaryOperator<Session> change) {
    if (!mayBeHeld(id)) {
      return null;
    }
    return table
        .applyIfPresent(
            id,
            (slot, expired, now) -> {
              if (!(slot instanceof Stored stored)) {
                return new Decision(slot, Result.NONE);
              }
              Session changed;
              inChange.set(Boolean.TRUE);
              try {
                changed = SessionPolicy.checkChange(id, change.apply(stored.session()));
              } finally {
                // set(null), not remove(): the entry stays, so neither this nor the next
                // operation's
                // checkNotInChange pays for creating or expunging it (ThreadLocal.remove showed in
                // profiles).
                inChange.set(null);
              }
              checkSize(changed.data());
              Decision written = table.write(stored, changed, now);
              return written.result() == Result.LOST ? new Decision(null, Result.NONE) : written;
            })
        .session();
  }

  /**
   * get and touch: refresh lastAccessedAt of a live session unless it is younger than the
   * threshold.
   */
  @Nullable Session access(String id) {
    if (!mayBeHeld(id)) {
      return null;
    }
    if (!touchThreshold.isZero()) {
      // Most reads need no refresh then: answer them without locking.
      Instant seenAt = time.now();
      Session seen = table.live(id, seenAt);
      if (seen == null) {
        return null; // absent, destroyed or expired: nothing to lock, nothing to revive
      }
      if (!SessionPolicy.needsRefresh(seen, seenAt, touchThreshold)) {
        return seen;
      }
    }
    return table
        .applyIfPresent(
            id,
            (slot, expired, now) -> {
              if (!(slot instanceof Stored stored)) {
                return new Decision(slot, Result.NONE);
              }
              Session current = stored.session();
              if (!SessionPolicy.needsRefresh(current, now, touchThreshold)) {
                return new Decision(slot, new Result.Value(current));
              }
              Session refreshed = current.toBuilder().lastAccessedAt(now).build();
              if (principals.bind(current, refreshed, now) != Binding.OK) {
                table.gone(
                    current,
                    SessionEvent.Type.EXPIRED,
                    now); // its claim was taken over: it had expired
                return new Decision(null, Result.NONE);
              }
              return new Decision(new Stored(refreshed), new Result.Value(refreshed));
            })
        .session();
  }

  boolean destroy(String id) {
    if (!Session.isWellFormedId(id)) {
      return false;
    }
    Result result =
        table.apply(
            id,
            (slot, expired, now) -> {
              if (slot instanceof Stored stored) {
                return new Decision(
                    table.destroy(stored.session(), now), new Result.Destroyed(true));
              }
              if (expired) { // held but expired: it got its EXPIRED; the tombstone still stops late
                // writes
                return new Decision(Tombstone.at(now), new Result.Destroyed(false));
              }
              return new Decision(slot, new Result.Destroyed(false));
            });
    result.session(); // rethrows a failure
    return result instanceof Result.Destroyed destroyed && destroyed.wasLive();
  }

  @Nullable Session regenerate(String id) {
    if (!Session.isWellFormedId(id)) {
      return null;
    }
    String firstNewId = SessionPolicy.newId(ids);
    // Step 1, atomic on the old id: tombstone it and hand its exclusive claim to the new id, so
    // that from here on the principal stays claimed without a conflict.
    Session old =
        table
            .apply(
                id,
                (slot, expired, now) -> {
                  if (!(slot instanceof Stored stored)) {
                    return new Decision(slot, Result.NONE);
                  }
                  Session s = stored.session();
                  String principal = s.principal();
                  if (s.exclusive()
                      && !principals.moveClaim(
                          Objects.requireNonNull(principal), id, firstNewId, s.expiresAt())) {
                    table.gone(
                        s,
                        SessionEvent.Type.EXPIRED,
                        now); // its claim was taken over: it had expired
                    return new Decision(null, Result.NONE);
                  }
                  if (principal != null) {
                    principals.unindex(principal, id);
                  }
                  capacity.remove();
                  table.publish(SessionEvent.Type.DESTROYED, s, now);
                  return new Decision(Tombstone.at(now), new Result.Value(s));
                })
            .session();
    if (old == null) {
      return null;
    }
    // Step 2, atomic on the new id: insert the session there (drawing another id on a collision).
    String newId = firstNewId;
    for (int attempt = 1; ; attempt++) {
      String target = newId;
      Result inserted =
          table.apply(
              target,
              (slot, expired, now) -> {
                if (slot != null) {
                  return new Decision(slot, Result.IN_USE);
                }
                Session moved = SessionPolicy.regenerated(old, target, now);
                String principal = moved.principal();
                if (principal != null) {
                  if (moved.exclusive()) {
                    principals.moveClaim(principal, target, target, moved.expiresAt());
                  }
                  principals.index(principal, target);
                }
                capacity.restore();
                return table.insert(moved, now);
              });
      if (inserted != Result.IN_USE) {
        return inserted.session();
      }
      String next = SessionPolicy.newId(ids);
      if (old.exclusive()) {
        principals.moveClaim(
            Objects.requireNonNull(old.principal()), target, next, old.expiresAt());
      }
      if (attempt >= SessionPolicy.ID_ATTEMPTS) {
        if (old.exclusive()) {
          principals.unbind(SessionPolicy.regenerated(old, next, time.now()));
        }
        throw new IllegalStateException(
            SessionPolicy.idsExhausted().getMessage() + " The session was destroyed.");
      }
      newId = next;
    }
  }

  /**
   * Whether an id is worth looking up: not null, not empty, not longer than an id can be. Every id
   * the table holds is well formed (create draws checked ids, a {@code Session} cannot hold
   * another), so an ill-formed id of a possible length is simply not found, without checking each
   * character first. The length bound keeps an attacker's megabyte-long "id" from being hashed.
   */
  private static boolean mayBeHeld(@Nullable String id) {
    return id != null && !id.isEmpty() && id.length() <= Session.MAX_ID_LENGTH;
  }

  /**
   * Fails if this thread is inside an update's {@code change}: it runs while the session is locked
   * and must not call the store.
   */
  void checkNotInChange() {
    if (inChange.get() != null) {
      throw new IllegalStateException(
          "update's change function called the store it is updating; "
              + "change runs while the session is locked and must not call the store");
    }
  }

  private void checkSize(SessionData data) {
    long size = data.estimatedSize();
    if (size > maxSessionBytes) {
      throw new SessionTooLargeException(size, maxSessionBytes);
    }
  }

  private static Result stale(Session session, String found) {
    return new Result.Failure(new StaleSessionException(session.id(), session.version(), found));
  }
}
