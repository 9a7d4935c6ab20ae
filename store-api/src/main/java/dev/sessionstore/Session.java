package dev.sessionstore;

import dev.sessionstore.spi.SessionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A session as a store holds it: an immutable value.
 *
 * <p>A session expires at {@link #expiresAt()}: the earlier of {@code lastAccessedAt + maxIdle} and
 * {@code deadline}, absent terms ignored; with neither it never expires. Timestamps have
 * millisecond precision. Withers return new instances and leave the {@link #version()} alone; the
 * store sets the version when it writes.
 *
 * <p>Build instances with {@link #builder(String)}; stores use it to set every field. Instances are
 * immutable and thread-safe; {@link #toString()} never prints the whole id, which is a bearer
 * secret.
 */
public final class Session {

  /** The longest well-formed session id. */
  public static final int MAX_ID_LENGTH = 256;

  private final String id;
  private final SessionData data;
  private final @Nullable String principal;
  private final boolean exclusive;
  private final Instant createdAt;
  private final Instant lastAccessedAt;
  private final @Nullable Duration maxIdle;
  private final @Nullable Instant deadline;
  private final long version;

  private Session(Builder b) {
    this.id = b.id;
    this.data = b.data;
    this.principal = b.principal;
    this.exclusive = b.exclusive;
    this.createdAt = b.createdAt;
    this.lastAccessedAt = b.lastAccessedAt;
    this.maxIdle = b.maxIdle;
    this.deadline = b.deadline;
    this.version = b.version;
  }

  /**
   * Starts a session with the given id. Unset fields default to: empty data, no principal, not
   * exclusive, created and accessed at {@link Instant#EPOCH}, no idle limit, no deadline, version
   * 0.
   *
   * @param id the session id; must be well formed
   * @return a builder
   * @throws IllegalArgumentException if the id is not {@linkplain #isWellFormedId(String) well
   *     formed}
   */
  public static Builder builder(String id) {
    return new Builder(requireWellFormedId(id));
  }

  /**
   * Tells whether a string is a well-formed session id: 1 to {@value #MAX_ID_LENGTH} characters
   * from {@code [A-Za-z0-9._~-]}. Stores treat any other id as unknown without asking their
   * backend.
   *
   * @param id the candidate, possibly null
   * @return whether it is well formed
   */
  public static boolean isWellFormedId(@Nullable String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      // A table lookup instead of a chain of range checks: every store calls this on every
      // operation.
      if (c >= ID_CHARACTERS.length || !ID_CHARACTERS[c]) {
        return false;
      }
    }
    return true;
  }

  private static final boolean[] ID_CHARACTERS = idCharacters();

  private static boolean[] idCharacters() {
    boolean[] allowed = new boolean[128];
    for (char c = 'a'; c <= 'z'; c++) {
      allowed[c] = true;
      allowed[Character.toUpperCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      allowed[c] = true;
    }
    for (char c : new char[] {'.', '_', '~', '-'}) {
      allowed[c] = true;
    }
    return allowed;
  }

  /**
   * Returns the id if it is well formed.
   *
   * @param id the candidate
   * @return the id
   * @throws IllegalArgumentException naming the problem, if it is not well formed
   */
  public static String requireWellFormedId(@Nullable String id) {
    if (id == null) {
      throw new IllegalArgumentException("session id is null");
    }
    if (id.isEmpty()) {
      throw new IllegalArgumentException("session id is empty");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException(
          "session id is " + id.length() + " characters long, over the limit of " + MAX_ID_LENGTH);
    }
    if (!isWellFormedId(id)) {
      throw new IllegalArgumentException(
          "session id " + redact(id) + " has characters outside [A-Za-z0-9._~-]");
    }
    return id;
  }

  /**
   * Shortens an id for messages and logs, so that the whole bearer secret is never printed.
   *
   * @param id the id
   * @return its first four characters followed by an ellipsis (or a placeholder for short ids)
   */
  public static String redact(@Nullable String id) {
    if (id == null) {
      return "null";
    }
    return id.length() <= 8 ? "…" : id.substring(0, 4) + "…";
  }

  /**
   * @return the session id
   */
  public String id() {
    return id;
  }

  /**
   * @return the attributes
   */
  public SessionData data() {
    return data;
  }

  /**
   * Returns one attribute.
   *
   * @param name the attribute name
   * @return the value, or {@code null} if absent or null
   */
  public @Nullable Object attribute(String name) {
    return data.get(name);
  }

  /**
   * @return the principal the session is bound to, or {@code null}
   */
  public @Nullable String principal() {
    return principal;
  }

  /**
   * @return whether this session holds its principal's exclusive claim
   */
  public boolean exclusive() {
    return exclusive;
  }

  /**
   * @return when the session was created
   */
  public Instant createdAt() {
    return createdAt;
  }

  /**
   * @return when the session was last read, touched or updated
   */
  public Instant lastAccessedAt() {
    return lastAccessedAt;
  }

  /**
   * @return the idle time after which the session expires, or {@code null} for no idle limit
   */
  public @Nullable Duration maxIdle() {
    return maxIdle;
  }

  /**
   * @return the absolute time at which the session expires, or {@code null} for none
   */
  public @Nullable Instant deadline() {
    return deadline;
  }

  /**
   * Returns when the session expires: the earlier of {@code lastAccessedAt + maxIdle} and {@code
   * deadline}, absent terms ignored.
   *
   * @return the expiry, or {@code null} if the session never expires
   */
  public @Nullable Instant expiresAt() {
    Instant idleExpiry = maxIdle == null ? null : saturatingPlus(lastAccessedAt, maxIdle);
    if (idleExpiry == null) {
      return deadline;
    }
    if (deadline == null) {
      return idleExpiry;
    }
    return idleExpiry.isBefore(deadline) ? idleExpiry : deadline;
  }

  /**
   * Tells whether the session is expired at a given instant: at or past {@link #expiresAt()}.
   *
   * @param now the instant, from the store's clock
   * @return whether it is expired
   */
  public boolean isExpiredAt(Instant now) {
    if (deadline != null && !now.isBefore(deadline)) {
      return true;
    }
    if (maxIdle == null) {
      return false;
    }
    // now >= lastAccessedAt + maxIdle, as now - lastAccessedAt >= maxIdle: no Instant to allocate
    // (stores ask this on every operation) and no overflow near Instant.MAX.
    long seconds = now.getEpochSecond() - lastAccessedAt.getEpochSecond();
    int nanos = now.getNano() - lastAccessedAt.getNano();
    if (nanos < 0) {
      seconds--;
      nanos += 1_000_000_000;
    }
    return seconds > maxIdle.getSeconds()
        || (seconds == maxIdle.getSeconds() && nanos >= maxIdle.getNano());
  }

  /**
   * @return the number of writes of this session; 1 after {@code create}
   */
  public long version() {
    return version;
  }

  /**
   * Returns a copy with one attribute set.
   *
   * @param name the attribute name
   * @param value the value; see {@link SessionData} for what is allowed
   * @return the new session
   * @throws InvalidSessionDataException if the value is not allowed
   */
  public Session withAttribute(String name, @Nullable Object value) {
    return toBuilder().data(data.with(name, value)).build();
  }

  /**
   * Returns a copy without one attribute.
   *
   * @param name the attribute name
   * @return the new session
   */
  public Session withoutAttribute(String name) {
    SessionData without = data.without(name);
    return without == data ? this : toBuilder().data(without).build();
  }

  /**
   * Returns a copy with all attributes replaced.
   *
   * @param data the new attributes
   * @return the new session
   */
  public Session withData(SessionData data) {
    return toBuilder().data(data).build();
  }

  /**
   * Returns a copy bound to a principal.
   *
   * @param principal the principal, or {@code null} to unbind
   * @param exclusive whether to claim the principal exclusively; ignored (false) without a
   *     principal
   * @return the new session
   */
  public Session withPrincipal(@Nullable String principal, boolean exclusive) {
    return toBuilder().principal(principal, exclusive).build();
  }

  /**
   * Returns a copy with another idle limit.
   *
   * @param maxIdle the idle limit, or {@code null} for none
   * @return the new session
   * @throws IllegalArgumentException if the duration is zero or negative
   */
  public Session withMaxIdle(@Nullable Duration maxIdle) {
    return toBuilder().maxIdle(maxIdle).build();
  }

  /**
   * Returns a copy with another absolute deadline.
   *
   * @param deadline the deadline, or {@code null} for none
   * @return the new session
   */
  public Session withDeadline(@Nullable Instant deadline) {
    return toBuilder().deadline(deadline).build();
  }

  /**
   * Returns a builder holding every field of this session.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(id);
    b.data = data;
    b.principal = principal;
    b.exclusive = exclusive;
    b.createdAt = createdAt;
    b.lastAccessedAt = lastAccessedAt;
    b.maxIdle = maxIdle;
    b.deadline = deadline;
    b.version = version;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Session)) {
      return false;
    }
    Session s = (Session) o;
    return id.equals(s.id)
        && version == s.version
        && exclusive == s.exclusive
        && data.equals(s.data)
        && Objects.equals(principal, s.principal)
        && createdAt.equals(s.createdAt)
        && lastAccessedAt.equals(s.lastAccessedAt)
        && Objects.equals(maxIdle, s.maxIdle)
        && Objects.equals(deadline, s.deadline);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        id, version, data, principal, exclusive, createdAt, lastAccessedAt, maxIdle, deadline);
  }

  @Override
  public String toString() {
    return "Session{id="
        + redact(id)
        + ", version="
        + version
        + ", principal="
        + principal
        + (exclusive ? " (exclusive)" : "")
        + ", attributes="
        + data.keys()
        + ", lastAccessedAt="
        + lastAccessedAt
        + ", expiresAt="
        + expiresAt()
        + '}';
  }

  static Instant saturatingPlus(Instant instant, Duration duration) {
    try {
      return instant.plus(duration);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return Instant.MAX;
    }
  }

  static Instant millis(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS);
  }

  /** Builds {@link Session} values. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private SessionData data = SessionData.empty();
    private @Nullable String principal;
    private boolean exclusive;
    private Instant createdAt = Instant.EPOCH;
    private Instant lastAccessedAt = Instant.EPOCH;
    private @Nullable Duration maxIdle;
    private @Nullable Instant deadline;
    private long version;

    private Builder(String id) {
      this.id = id;
    }

    /**
     * Sets the attributes.
     *
     * @param data the attributes
     * @return this builder
     */
    public Builder data(SessionData data) {
      this.data = Objects.requireNonNull(data, "data");
      return this;
    }

    /**
     * Binds the session to a principal.
     *
     * @param principal the principal, or {@code null} for none
     * @param exclusive whether the session claims the principal exclusively (false without one)
     * @return this builder
     * @throws IllegalArgumentException if the principal is empty or not well-formed UTF-16 (an
     *     unpaired surrogate, SPEC R6.1)
     */
    public Builder principal(@Nullable String principal, boolean exclusive) {
      if (principal != null) {
        SessionPolicy.checkPrincipal(principal);
      }
      this.principal = principal;
      this.exclusive = principal != null && exclusive;
      return this;
    }

    /**
     * Sets the creation time (truncated to milliseconds).
     *
     * @param createdAt the creation time
     * @return this builder
     */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = millis(Objects.requireNonNull(createdAt, "createdAt"));
      return this;
    }

    /**
     * Sets the last access time (truncated to milliseconds).
     *
     * @param lastAccessedAt the last access time
     * @return this builder
     */
    public Builder lastAccessedAt(Instant lastAccessedAt) {
      this.lastAccessedAt = millis(Objects.requireNonNull(lastAccessedAt, "lastAccessedAt"));
      return this;
    }

    /**
     * Sets the idle limit (truncated to milliseconds).
     *
     * @param maxIdle the idle limit, or {@code null} for none
     * @return this builder
     * @throws IllegalArgumentException if it is shorter than a millisecond
     */
    public Builder maxIdle(@Nullable Duration maxIdle) {
      this.maxIdle = SessionDraft.checkMaxIdle(maxIdle);
      return this;
    }

    /**
     * Sets the absolute deadline (truncated to milliseconds).
     *
     * @param deadline the deadline, or {@code null} for none
     * @return this builder
     */
    public Builder deadline(@Nullable Instant deadline) {
      this.deadline = deadline == null ? null : millis(deadline);
      return this;
    }

    /**
     * Sets the version.
     *
     * @param version the version, not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder version(long version) {
      if (version < 0) {
        throw new IllegalArgumentException("version must not be negative: " + version);
      }
      this.version = version;
      return this;
    }

    /**
     * Builds the session.
     *
     * @return the session
     */
    public Session build() {
      return new Session(this);
    }
  }
}
