package dev.sessionstore.spring;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.session.SaveMode;
import org.springframework.session.Session;

/**
 * A Spring Session {@link Session} backed by a {@link dev.sessionstore.Session} of a {@link
 * dev.sessionstore.SessionStore}: the working copy of one request.
 *
 * <p>It records which attributes the request set or removed; the repository writes only those, in
 * one atomic {@code store.update}, so concurrent requests of the same session never undo each
 * other's changes to other attributes. Which reads count as changes follows the repository's {@link
 * SaveMode}.
 *
 * <p>Setting {@link #EXCLUSIVE_ATTRIBUTE} to {@code true} asks for an exclusive login: when the
 * session is saved bound to a principal, no other live session may be bound to that principal, and
 * a save that would break this fails with {@link ExclusiveLoginException}.
 *
 * <p>Instances are created by the repositories only. They are safe to use from several threads
 * (every method is synchronized), as WebFlux may do.
 */
public final class StoreSession implements Session {

  /**
   * The attribute that makes the session's principal binding exclusive when set to {@link
   * Boolean#TRUE} (see {@link ExclusiveLoginException}).
   */
  public static final String EXCLUSIVE_ATTRIBUTE = "dev.sessionstore.spring.EXCLUSIVE";

  private final SessionStoreRepositoryCore core;
  private final dev.sessionstore.@Nullable Session loaded;
  private final Map<String, @Nullable Object> decoded = new HashMap<>();
  private final Set<String> names;
  private final Set<String> changed = new LinkedHashSet<>();
  private final Set<String> removed = new LinkedHashSet<>();
  private final Map<String, Object> values = new HashMap<>(); // set during this request
  private String id;
  private String storedId;
  private boolean persisted;
  private boolean gone;
  private boolean idChanged;
  private @Nullable Duration maxInactiveInterval;
  private boolean maxInactiveIntervalChanged;
  private final Instant creationTime;
  private Instant lastAccessedTime;

  /** A new session, not yet in the store. */
  StoreSession(
      SessionStoreRepositoryCore core,
      String id,
      Instant now,
      @Nullable Duration maxInactiveInterval) {
    this.core = core;
    this.loaded = null;
    this.id = id;
    this.storedId = id;
    this.names = new LinkedHashSet<>();
    this.creationTime = now;
    this.lastAccessedTime = now;
    this.maxInactiveInterval = maxInactiveInterval;
  }

  /** A session read from the store. */
  StoreSession(SessionStoreRepositoryCore core, dev.sessionstore.Session loaded) {
    this.core = core;
    this.loaded = loaded;
    this.id = loaded.id();
    this.storedId = loaded.id();
    this.persisted = true;
    this.names = new LinkedHashSet<>(loaded.data().keys());
    this.creationTime = loaded.createdAt();
    this.lastAccessedTime = loaded.lastAccessedAt();
    this.maxInactiveInterval = loaded.maxIdle();
  }

  @Override
  public synchronized String getId() {
    return id;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The store gives a session its new id: the servlet repository moves the stored session at
   * once ({@code store.regenerate}); the reactive repository does it at the save that Spring's
   * WebFlux support runs right after this call, and {@link #getId()} then returns the store's id.
   */
  @Override
  public String changeSessionId() {
    return core.changeSessionId(this);
  }

  @Override
  @SuppressWarnings("unchecked")
  public synchronized <T> @Nullable T getAttribute(String attributeName) {
    if (!names.contains(attributeName)) {
      return null;
    }
    Object value;
    if (values.containsKey(attributeName)) {
      value = values.get(attributeName);
    } else if (decoded.containsKey(attributeName)) {
      value = decoded.get(attributeName);
    } else {
      value =
          AttributeValues.decode(
              attributeName,
              Objects.requireNonNull(loaded).data().get(attributeName),
              core.codec());
      decoded.put(attributeName, value);
    }
    if (core.saveMode() == SaveMode.ON_GET_ATTRIBUTE && value != null) {
      markChanged(attributeName, value);
    }
    return (T) value;
  }

  @Override
  public synchronized Set<String> getAttributeNames() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(names));
  }

  @Override
  public synchronized void setAttribute(String attributeName, @Nullable Object attributeValue) {
    Objects.requireNonNull(attributeName, "attributeName");
    if (attributeValue == null) {
      removeAttribute(attributeName);
      return;
    }
    markChanged(attributeName, attributeValue);
  }

  private void markChanged(String name, Object value) {
    names.add(name);
    values.put(name, value);
    changed.add(name);
    removed.remove(name);
  }

  @Override
  public synchronized void removeAttribute(String attributeName) {
    if (names.remove(attributeName)
        || (loaded != null && loaded.data().containsKey(attributeName))) {
      removed.add(attributeName);
    }
    values.remove(attributeName);
    decoded.remove(attributeName);
    changed.remove(attributeName);
  }

  @Override
  public synchronized Instant getCreationTime() {
    return creationTime;
  }

  @Override
  public synchronized void setLastAccessedTime(Instant lastAccessedTime) {
    // The store refreshes lastAccessedAt on every read and write itself; this only keeps the local
    // view.
    this.lastAccessedTime = Objects.requireNonNull(lastAccessedTime, "lastAccessedTime");
  }

  @Override
  public synchronized Instant getLastAccessedTime() {
    return lastAccessedTime;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Zero or a negative interval means the session never expires from idleness, as in Spring
   * Session; it is stored as no {@code maxIdle}.
   */
  @Override
  public synchronized void setMaxInactiveInterval(@Nullable Duration interval) {
    Duration normalised =
        interval == null || interval.isZero() || interval.isNegative() ? null : interval;
    if (!Objects.equals(normalised, maxInactiveInterval)) {
      maxInactiveInterval = normalised;
      maxInactiveIntervalChanged = true;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @return the idle limit, or {@link Duration#ZERO} when the session has none
   */
  @Override
  public synchronized Duration getMaxInactiveInterval() {
    return maxInactiveInterval == null ? Duration.ZERO : maxInactiveInterval;
  }

  @Override
  public synchronized boolean isExpired() {
    if (gone) {
      return true;
    }
    Instant now = core.now();
    if (maxInactiveInterval != null && !now.isBefore(lastAccessedTime.plus(maxInactiveInterval))) {
      return true;
    }
    Instant deadline = loaded == null ? null : loaded.deadline();
    return deadline != null && !now.isBefore(deadline);
  }

  /**
   * Returns the session as the store returned it when this working copy was read.
   *
   * @return the stored session, or {@code null} if this session is new (not yet saved)
   */
  public synchronized dev.sessionstore.@Nullable Session storedSession() {
    return loaded;
  }

  @Override
  public synchronized String toString() {
    return "StoreSession[id=" + dev.sessionstore.Session.redact(id) + ", attributes=" + names + "]";
  }

  // --- for the repositories -------------------------------------------------------------------

  synchronized boolean persisted() {
    return persisted;
  }

  synchronized boolean gone() {
    return gone;
  }

  synchronized String storedId() {
    return storedId;
  }

  synchronized boolean idChanged() {
    return idChanged;
  }

  /** A new local id (a new session not yet saved, or the reactive repository's pending move). */
  synchronized String changeIdLocally(String newId) {
    id = newId;
    if (persisted) {
      idChanged = true;
    } else {
      storedId = newId;
    }
    return newId;
  }

  /** The store moved the session to {@code newId}. */
  synchronized void movedTo(String newId) {
    id = newId;
    storedId = newId;
    idChanged = false;
  }

  /** The session was destroyed or expired in the store meanwhile: nothing of it will be written. */
  synchronized void markGone() {
    gone = true;
    idChanged = false;
  }

  /** Takes the changes to write: encoded values set, names removed, and the metadata. */
  synchronized Changes changes() {
    Map<String, Object> set = new LinkedHashMap<>();
    Set<String> toWrite = core.saveMode() == SaveMode.ALWAYS ? names : changed;
    for (String name : toWrite) {
      Object value = values.containsKey(name) ? values.get(name) : getAttributeForWrite(name);
      if (value != null) {
        set.put(name, AttributeValues.encode(name, value, core.codec()));
      }
    }
    boolean principalMayChange = !persisted;
    for (String name : SessionStoreRepositoryCore.PRINCIPAL_ATTRIBUTES) {
      principalMayChange |= changed.contains(name) || removed.contains(name);
    }
    return new Changes(
        set,
        Set.copyOf(removed),
        maxInactiveIntervalChanged || !persisted,
        maxInactiveInterval,
        principalMayChange,
        creationTime);
  }

  /** Reads an attribute without counting the read as a change (whatever the save mode). */
  synchronized @Nullable Object peek(String name) {
    if (!names.contains(name)) {
      return null;
    }
    return values.containsKey(name) ? values.get(name) : getAttributeForWrite(name);
  }

  private @Nullable Object getAttributeForWrite(String name) {
    if (decoded.containsKey(name)) {
      return decoded.get(name);
    }
    Object value =
        AttributeValues.decode(name, Objects.requireNonNull(loaded).data().get(name), core.codec());
    decoded.put(name, value);
    return value;
  }

  /** The changes were written: the next save writes only what changes after this. */
  synchronized void written(dev.sessionstore.Session stored) {
    persisted = true;
    storedId = stored.id();
    id = stored.id();
    changed.clear();
    removed.clear();
    maxInactiveIntervalChanged = false;
  }

  /**
   * A save was refused (exclusive login): forget this request's changes, so that neither a retry
   * nor the save at the end of the request writes them.
   */
  synchronized void discardChanges() {
    for (String name : changed) {
      values.remove(name);
      decoded.remove(name);
      if (loaded == null || !loaded.data().containsKey(name)) {
        names.remove(name);
      }
    }
    for (String name : removed) {
      names.add(name);
    }
    changed.clear();
    removed.clear();
    if (maxInactiveIntervalChanged) {
      maxInactiveInterval = loaded == null ? maxInactiveInterval : loaded.maxIdle();
      maxInactiveIntervalChanged = false;
    }
  }

  /** What one save writes. */
  record Changes(
      Map<String, Object> set,
      Set<String> removed,
      boolean maxIdleChanged,
      @Nullable Duration maxIdle,
      boolean principalMayChange,
      Instant creationTime) {

    boolean isEmpty() {
      return set.isEmpty() && removed.isEmpty() && !maxIdleChanged && !principalMayChange;
    }
  }
}
