package dev.sessionstore.memory;

import dev.sessionstore.Session;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The principal index (principal to session ids) and the exclusive claims (principal to the one
 * session holding it exclusively).
 *
 * <p>Every method that changes something is called from inside the store's atomic section of the
 * session concerned, so the index and claims change together with the session. Lock order is always
 * "session's hash bin, then principal's hash bin"; nothing here calls back into the session map.
 *
 * <p>A claim records the holder's expiry. A claim whose expiry has passed is stale and any session
 * may take it over, so an expired holder releases its principal at once, before any reaper runs.
 * Conversely, a stored exclusive session whose claim was taken over is expired: someone observed
 * its expiry. Thread-safe.
 */
final class Principals {

  /** The outcome of binding a session to its principal. */
  enum Binding {
    /** Bound; the index and claims are updated. */
    OK,
    /** Another live session holds the principal exclusively; nothing changed. */
    CONFLICT,
    /** The session held its claim, but it was taken over because the session expired. */
    LOST
  }

  private record Claim(String holder, @Nullable Instant expiresAt) {
    boolean staleAt(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }
  }

  private final ConcurrentHashMap<String, Claim> claims = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> index = new ConcurrentHashMap<>();

  /** Whether a stored exclusive session still holds its claim; true for non-exclusive sessions. */
  boolean holdsClaim(Session session) {
    if (!session.exclusive()) {
      return true;
    }
    Claim claim = claims.get(Objects.requireNonNull(session.principal()));
    return claim != null && claim.holder().equals(session.id());
  }

  /**
   * Binds a session's new state to its principal: takes, refreshes, moves or releases the exclusive
   * claim and updates the index. All or nothing.
   *
   * @param before the live stored state of the same id, or null if it is being inserted
   * @param after the state being written
   * @param now the store clock's time
   */
  Binding bind(@Nullable Session before, Session after, Instant now) {
    String id = after.id();
    String principal = after.principal();
    String oldPrincipal = before == null ? null : before.principal();
    boolean heldBefore = before != null && before.exclusive();
    if (principal != null && after.exclusive()) {
      boolean heldThis = heldBefore && principal.equals(oldPrincipal);
      Binding[] outcome = {Binding.OK};
      claims.compute(
          principal,
          (p, claim) -> {
            if (claim != null && claim.holder().equals(id)) {
              return new Claim(id, after.expiresAt());
            }
            if (heldThis) {
              outcome[0] = Binding.LOST;
              return claim;
            }
            if (claim == null || claim.staleAt(now)) {
              return new Claim(id, after.expiresAt());
            }
            outcome[0] = Binding.CONFLICT;
            return claim;
          });
      if (outcome[0] != Binding.OK) {
        return outcome[0];
      }
    } else if (principal != null && !principal.equals(oldPrincipal)) {
      Claim claim = claims.get(principal);
      if (claim != null && !claim.holder().equals(id) && !claim.staleAt(now)) {
        return Binding.CONFLICT;
      }
    }
    if (heldBefore && !(after.exclusive() && Objects.equals(principal, oldPrincipal))) {
      release(Objects.requireNonNull(oldPrincipal), id);
    }
    if (!Objects.equals(principal, oldPrincipal)) {
      if (oldPrincipal != null) {
        unindex(oldPrincipal, id);
      }
      if (principal != null) {
        index(principal, id);
      }
    }
    return Binding.OK;
  }

  /**
   * Forgets a session that is gone (destroyed, expired, evicted): its claim if it holds it, its
   * entry.
   */
  void unbind(Session gone) {
    String principal = gone.principal();
    if (principal == null) {
      return;
    }
    if (gone.exclusive()) {
      release(principal, gone.id());
    }
    unindex(principal, gone.id());
  }

  /**
   * Hands the claim of a regenerated session to its new id.
   *
   * @return false if the old id no longer held the claim (it expired and was taken over)
   */
  boolean moveClaim(String principal, String fromId, String toId, @Nullable Instant expiresAt) {
    boolean[] moved = {false};
    claims.computeIfPresent(
        principal,
        (p, claim) -> {
          if (!claim.holder().equals(fromId)) {
            return claim;
          }
          moved[0] = true;
          return new Claim(toId, expiresAt);
        });
    return moved[0];
  }

  void index(String principal, String id) {
    index.compute(
        principal,
        (p, ids) -> {
          Set<String> set = ids == null ? ConcurrentHashMap.newKeySet() : ids;
          set.add(id);
          return set;
        });
  }

  void unindex(String principal, String id) {
    index.computeIfPresent(
        principal,
        (p, ids) -> {
          ids.remove(id);
          return ids.isEmpty() ? null : ids;
        });
  }

  /** A snapshot of the ids indexed under a principal; the caller filters out ones not live. */
  List<String> idsOf(String principal) {
    Set<String> ids = index.get(principal);
    return ids == null ? List.of() : List.copyOf(ids);
  }

  void clear() {
    claims.clear();
    index.clear();
  }

  private void release(String principal, String holder) {
    claims.computeIfPresent(principal, (p, claim) -> claim.holder().equals(holder) ? null : claim);
  }
}
