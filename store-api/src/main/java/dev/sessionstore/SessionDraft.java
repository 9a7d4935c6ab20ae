package dev.sessionstore;

import dev.sessionstore.spi.SessionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link SessionStore#create(SessionDraft)} needs to create a session: its initial data, an
 * optional principal, and its expiry. The store supplies the id, the timestamps and the version.
 *
 * <p>Unless {@link #withMaxIdle(Duration)} is called, the session gets the store's default idle
 * limit (the {@link StoreOptions#MAX_IDLE} option); {@code withMaxIdle(null)} asks for no idle
 * limit. Stores turn a draft into a session with {@link SessionPolicy#newSession}. Immutable and
 * thread-safe.
 */
public final class SessionDraft {

  private static final SessionDraft EMPTY =
      new SessionDraft(SessionData.empty(), null, false, true, null, null);

  private final SessionData data;
  private final @Nullable String principal;
  private final boolean exclusive;
  private final boolean defaultMaxIdle;
  private final @Nullable Duration maxIdle;
  private final @Nullable Instant deadline;

  private SessionDraft(
      SessionData data,
      @Nullable String principal,
      boolean exclusive,
      boolean defaultMaxIdle,
      @Nullable Duration maxIdle,
      @Nullable Instant deadline) {
    this.data = data;
    this.principal = principal;
    this.exclusive = exclusive;
    this.defaultMaxIdle = defaultMaxIdle;
    this.maxIdle = maxIdle;
    this.deadline = deadline;
  }

  /**
   * Returns a draft with no data.
   *
   * @return the empty draft
   */
  public static SessionDraft empty() {
    return EMPTY;
  }

  /**
   * Returns a draft with the given data.
   *
   * @param data the initial data
   * @return the draft
   */
  public static SessionDraft of(SessionData data) {
    return new SessionDraft(Objects.requireNonNull(data, "data"), null, false, true, null, null);
  }

  /**
   * Returns a copy bound to a principal.
   *
   * @param principal the principal, or {@code null} for none
   * @param exclusive whether the new session claims the principal exclusively
   * @return the new draft
   * @throws IllegalArgumentException if the principal is empty or not well-formed UTF-16 (an
   *     unpaired surrogate, SPEC R6.1)
   */
  public SessionDraft withPrincipal(@Nullable String principal, boolean exclusive) {
    if (principal != null) {
      SessionPolicy.checkPrincipal(principal);
    }
    return new SessionDraft(
        data, principal, principal != null && exclusive, defaultMaxIdle, maxIdle, deadline);
  }

  /**
   * Returns a copy with an explicit idle limit instead of the store's default.
   *
   * @param maxIdle the idle limit, or {@code null} for none
   * @return the new draft
   * @throws IllegalArgumentException if it is shorter than a millisecond
   */
  public SessionDraft withMaxIdle(@Nullable Duration maxIdle) {
    return new SessionDraft(data, principal, exclusive, false, checkMaxIdle(maxIdle), deadline);
  }

  /**
   * Returns a copy with an absolute deadline.
   *
   * @param deadline the deadline, or {@code null} for none
   * @return the new draft
   */
  public SessionDraft withDeadline(@Nullable Instant deadline) {
    return new SessionDraft(
        data,
        principal,
        exclusive,
        defaultMaxIdle,
        maxIdle,
        deadline == null ? null : deadline.truncatedTo(ChronoUnit.MILLIS));
  }

  /**
   * Returns a copy with other data.
   *
   * @param data the initial data
   * @return the new draft
   */
  public SessionDraft withData(SessionData data) {
    return new SessionDraft(
        Objects.requireNonNull(data, "data"),
        principal,
        exclusive,
        defaultMaxIdle,
        maxIdle,
        deadline);
  }

  /**
   * @return the initial data
   */
  public SessionData data() {
    return data;
  }

  /**
   * @return the principal, or {@code null}
   */
  public @Nullable String principal() {
    return principal;
  }

  /**
   * @return whether the session claims its principal exclusively
   */
  public boolean exclusive() {
    return exclusive;
  }

  /**
   * @return the explicit idle limit, or {@code null} (see {@link #usesDefaultMaxIdle()})
   */
  public @Nullable Duration maxIdle() {
    return maxIdle;
  }

  /**
   * @return whether the store's default idle limit applies (no {@code withMaxIdle} call)
   */
  public boolean usesDefaultMaxIdle() {
    return defaultMaxIdle;
  }

  /**
   * @return the absolute deadline, or {@code null}
   */
  public @Nullable Instant deadline() {
    return deadline;
  }

  static @Nullable Duration checkMaxIdle(@Nullable Duration maxIdle) {
    if (maxIdle == null) {
      return null;
    }
    Duration millis = maxIdle.truncatedTo(ChronoUnit.MILLIS);
    if (millis.isNegative() || millis.isZero()) {
      throw new IllegalArgumentException(
          "maxIdle must be at least one millisecond, was "
              + maxIdle
              + "; use null for no idle limit");
    }
    return millis;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof SessionDraft)) {
      return false;
    }
    SessionDraft d = (SessionDraft) o;
    return exclusive == d.exclusive
        && defaultMaxIdle == d.defaultMaxIdle
        && data.equals(d.data)
        && Objects.equals(principal, d.principal)
        && Objects.equals(maxIdle, d.maxIdle)
        && Objects.equals(deadline, d.deadline);
  }

  @Override
  public int hashCode() {
    return Objects.hash(data, principal, exclusive, defaultMaxIdle, maxIdle, deadline);
  }

  @Override
  public String toString() {
    return "SessionDraft{principal="
        + principal
        + (exclusive ? " (exclusive)" : "")
        + ", attributes="
        + data.keys()
        + ", maxIdle="
        + (defaultMaxIdle ? "default" : maxIdle)
        + ", deadline="
        + deadline
        + '}';
  }
}
