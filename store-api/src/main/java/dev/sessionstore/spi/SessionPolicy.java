package dev.sessionstore.spi;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionIdGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * The decisions every store makes the same way, so that no two stores can disagree on them: the
 * session a draft becomes, when a read refreshes {@code lastAccessedAt}, what {@code update}'s
 * {@code change} may return, the copy {@code regenerate} stores, how ids are drawn and retried, and
 * how principals and null arguments are checked. Stateless and thread-safe.
 */
public final class SessionPolicy {

  /**
   * How many fresh ids a store draws for one {@code create} or {@code regenerate} before it gives
   * up (every store: a random 256-bit generator practically never collides once).
   */
  public static final int ID_ATTEMPTS = 16;

  private SessionPolicy() {}

  /**
   * Builds the session a store inserts for a draft (SPEC R1.1, R4.1): version 1, created and last
   * accessed now, the draft's idle limit or else the store's default.
   *
   * @param draft the draft
   * @param id the new id
   * @param now the store clock's current time
   * @param defaultMaxIdle the store's default idle limit, or {@code null} for none
   * @return the session at version 1
   */
  public static Session newSession(
      SessionDraft draft, String id, Instant now, @Nullable Duration defaultMaxIdle) {
    return Session.builder(id)
        .data(draft.data())
        .principal(draft.principal(), draft.exclusive())
        .createdAt(now)
        .lastAccessedAt(now)
        .maxIdle(draft.usesDefaultMaxIdle() ? defaultMaxIdle : draft.maxIdle())
        .deadline(draft.deadline())
        .version(1)
        .build();
  }

  /**
   * Decides whether a read or {@code touch} refreshes {@code lastAccessedAt} (SPEC R4.3): only when
   * the last refresh is at least the touch threshold old, and never within the same millisecond.
   *
   * @param session the live stored session
   * @param now the store clock's current time
   * @param touchThreshold the store's {@code touchThreshold}
   * @return whether to write the refresh
   */
  public static boolean needsRefresh(Session session, Instant now, Duration touchThreshold) {
    Instant millis = now.truncatedTo(ChronoUnit.MILLIS);
    Instant last = session.lastAccessedAt();
    return millis.isAfter(last) && !millis.isBefore(last.plus(touchThreshold));
  }

  /**
   * Checks what {@code update}'s {@code change} returned: a session with the same id.
   *
   * @param id the id being updated
   * @param changed what {@code change} returned
   * @return the changed session
   * @throws IllegalArgumentException if it is null or has another id; the store then writes nothing
   */
  public static Session checkChange(String id, @Nullable Session changed) {
    if (changed == null) {
      throw new IllegalArgumentException(
          "update's change returned null; return a session, or call destroy to end it");
    }
    if (!changed.id().equals(id)) {
      throw new IllegalArgumentException(
          "update's change returned a session with another id ("
              + Session.redact(changed.id())
              + " instead of "
              + Session.redact(id)
              + ")");
    }
    return changed;
  }

  /**
   * The copy {@code regenerate} stores under the new id (SPEC R1.4): same data, principal, claim,
   * creation time, idle limit and deadline; accessed now; version one higher.
   *
   * @param old the live session under the old id
   * @param newId the new id
   * @param now the store clock's current time
   * @return the session to store under the new id
   */
  public static Session regenerated(Session old, String newId, Instant now) {
    return Session.builder(newId)
        .data(old.data())
        .principal(old.principal(), old.exclusive())
        .createdAt(old.createdAt())
        .lastAccessedAt(now)
        .maxIdle(old.maxIdle())
        .deadline(old.deadline())
        .version(old.version() + 1)
        .build();
  }

  /**
   * Draws a new id and checks that it is well formed.
   *
   * @param generator the store's id generator
   * @return the id
   * @throws IllegalStateException if the generator returned a malformed id
   */
  public static String newId(SessionIdGenerator generator) {
    String id = generator.generate();
    if (!Session.isWellFormedId(id)) {
      throw new IllegalStateException(
          "the session id generator returned a malformed id "
              + Session.redact(id)
              + "; ids are 1 to 256 characters from [A-Za-z0-9._~-]");
    }
    return id;
  }

  /**
   * The error when {@link #ID_ATTEMPTS} drawn ids in a row were all in use.
   *
   * @return the exception to signal
   */
  public static IllegalStateException idsExhausted() {
    return new IllegalStateException(
        "the session id generator returned "
            + ID_ATTEMPTS
            + " ids in a row that are already in use; is it random?");
  }

  /**
   * Checks a principal (SPEC R6.1): not empty and well-formed UTF-16.
   *
   * @param principal the principal
   * @return the principal
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is empty or has an unpaired surrogate
   */
  public static String checkPrincipal(String principal) {
    if (principal == null) {
      throw new NullPointerException("principal is null");
    }
    if (principal.isEmpty()) {
      throw new IllegalArgumentException("principal is empty; use null for no principal");
    }
    int bad = unpairedSurrogate(principal);
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "principal has an unpaired surrogate at index "
              + bad
              + "; principals must be well-formed UTF-16");
    }
    return principal;
  }

  /**
   * Finds the first unpaired surrogate of a string.
   *
   * @param s the string
   * @return its index, or -1 if the string is well-formed UTF-16
   */
  public static int unpairedSurrogate(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Checks a required argument of a store operation. Every store signals a null argument the same
   * way: the returned publisher fails with this {@link NullPointerException}; nothing is thrown at
   * assembly.
   *
   * @param <T> the argument's type
   * @param value the argument
   * @param name its name in the message
   * @return the argument
   * @throws NullPointerException naming the argument, if it is null
   */
  public static <T> T requireArgument(@Nullable T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " is null");
    }
    return value;
  }
}
