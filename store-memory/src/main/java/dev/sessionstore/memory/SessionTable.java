package dev.sessionstore.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.StoreFullException;
import dev.sessionstore.memory.MemorySessionStore.WhenFull;
import dev.sessionstore.memory.Principals.Binding;
import dev.sessionstore.memory.Slot.Stored;
import dev.sessionstore.memory.Slot.Tombstone;
import dev.sessionstore.spi.SessionEventPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The locked session table: Caffeine's map of id to {@link Slot}, in which every write of one id
 * runs as one step inside {@code asMap().compute} of that id, so writes of one id are serialised
 * without a store-wide lock and the principal index, exclusive claims, the capacity count and
 * events change together with the session (SPEC R2.4, R5.2, R7.1: per-id event order).
 *
 * <p>Before a step runs, what is due under its id is removed: an expired session with its one
 * {@code EXPIRED} event (SPEC R4.2 "at exactly expiresAt every write treats it as expired", R4.5),
 * a tombstone past its grace (R3.4). {@link Deadlines} wakes up shortly after records fall due and
 * removes them the same way, inside the id's atomic section, so each session gets its {@code
 * EXPIRED} exactly once whichever path sees it first. Caffeine holds no expiry of its own: a
 * per-entry expiry made every write several times dearer. It bounds the size only with {@code
 * whenFull=evict}. Reads outside a step never remove or revive anything. Thread-safe.
 */
final class SessionTable {

  /** One step of an operation on one id, run inside that id's atomic section. */
  @FunctionalInterface
  interface Step {
    /**
     * Decides the id's new slot.
     *
     * @param slot the current slot, after removing what was due
     * @param expired whether an expired session was just removed from the id (with its event)
     * @param now the store clock's time
     * @return the new slot and the result; the slot must be {@code slot} when nothing changes
     */
    Decision apply(@Nullable Slot slot, boolean expired, Instant now);
  }

  /**
   * A step's decision.
   *
   * @param slot the id's new slot, or {@code null} for none
   * @param result what the operation answers
   */
  record Decision(@Nullable Slot slot, Result result) {}

  private final StoreTime time;
  private final Capacity capacity;
  private final Principals principals = new Principals();
  private final SessionEventPublisher publisher;
  private final Cache<String, Slot> cache;
  private final ConcurrentMap<String, Slot> map;
  private final Policy<String, Slot> policy;
  private final Deadlines deadlines;

  /** Expired sessions and old tombstones removed since {@code cleanup} last reported. */
  private final AtomicLong removedSinceReport = new AtomicLong();

  SessionTable(
      StoreTime time, Capacity capacity, SessionEventPublisher publisher, Deadlines.Timer timer) {
    this.time = time;
    this.capacity = capacity;
    this.publisher = publisher;
    this.deadlines = new Deadlines(time::millis, timer, this::removeIfDue);
    if (capacity.whenFull() == WhenFull.EVICT) {
      // Caffeine's maintenance (the size bound's eviction) runs on the thread that wrote.
      this.cache =
          Caffeine.newBuilder()
              .executor(Runnable::run)
              .maximumWeight(capacity.maxSessions())
              .weigher((String id, Slot slot) -> slot instanceof Stored ? 1 : 0)
              .evictionListener(this::evicted)
              .build();
    } else {
      this.cache = Caffeine.newBuilder().build();
    }
    this.map = cache.asMap();
    this.policy = cache.policy();
  }

  /**
   * Runs a step atomically for one id (Caffeine's {@code compute} locks only that id's hash bin). A
   * step that throws changes nothing; its exception becomes a {@link Result.Failure}.
   *
   * @param id the id
   * @param step the step
   * @return the step's result
   */
  Result apply(String id, Step step) {
    Run run = new Run(step);
    map.compute(id, run);
    return run.result;
  }

  /**
   * Like {@link #apply}, but runs nothing and locks nothing for an id that holds no record: for the
   * operations that do nothing then ({@code get}, {@code touch}, {@code update}).
   *
   * @param id the id
   * @param step the step, which never sees an absent slot unless the record was just removed as due
   * @return the step's result, or {@link Result#NONE} if the id held no record
   */
  Result applyIfPresent(String id, Step step) {
    Run run = new Run(step);
    run.result = Result.NONE;
    map.computeIfPresent(id, run);
    return run.result;
  }

  /** One run of a step inside the map's atomic section of its id; holds the step's result. */
  private final class Run implements BiFunction<String, @Nullable Slot, @Nullable Slot> {
    private final Step step;
    Result result = Result.LOST;

    Run(Step step) {
      this.step = step;
    }

    @Override
    public @Nullable Slot apply(String id, @Nullable Slot current) {
      Instant now = time.now();
      Slot slot = settle(current, now);
      boolean expired = current instanceof Stored && slot == null;
      Decision decision;
      try {
        decision = step.apply(slot, expired, now);
      } catch (RuntimeException e) {
        result = new Result.Failure(e);
        return slot;
      }
      result = decision.result();
      Slot next = decision.slot();
      if (next != null && next != slot) {
        watch(id, slot, next);
      }
      return next;
    }
  }

  /**
   * Tells {@link Deadlines} when a record written under an id falls due, unless the record it
   * replaces fell due no later: that one's bucket comes first and will look again (so refreshes,
   * which only move deadlines later, cost nothing here).
   */
  private void watch(String id, @Nullable Slot before, Slot after) {
    if (before instanceof Stored b
        && after instanceof Stored a
        && dueNoEarlier(a.session(), b.session())) {
      return; // the common case, a refresh or an update: no expiry computed
    }
    long due = time.dueMillis(after);
    if (due != StoreTime.NEVER && (before == null || due < time.dueMillis(before))) {
      deadlines.add(id, due);
    }
  }

  /** Whether {@code after} expires no earlier than {@code before}, told from its terms alone. */
  private static boolean dueNoEarlier(Session after, Session before) {
    return Objects.equals(after.maxIdle(), before.maxIdle())
        && Objects.equals(after.deadline(), before.deadline())
        && !after.lastAccessedAt().isBefore(before.lastAccessedAt());
  }

  /**
   * The check {@link Deadlines} runs for an id whose bucket came due: removes the record if it is
   * due (a session with its {@code EXPIRED} event), or else puts the id in the bucket of its real
   * deadline.
   */
  private void removeIfDue(String id) {
    map.computeIfPresent(
        id,
        (key, current) -> {
          Slot slot = settle(current, time.now());
          if (slot != null) {
            long due = time.dueMillis(slot);
            if (due != StoreTime.NEVER) {
              deadlines.add(key, due);
            }
          }
          return slot;
        });
  }

  /**
   * Writes a new state over the live stored one (or inserts it), inside the id's atomic section:
   * the version is one more, {@code lastAccessedAt} is now (SPEC R2.3, R4.3), the principal is
   * bound.
   *
   * @param current the live stored slot, or {@code null} to insert
   * @param given the state to write
   * @param now the store clock's time
   * @return the decision: the new session, a failure (full, principal conflict; the slot
   *     unchanged), or {@link Result#LOST} if the stored session had lost its claim (it is then
   *     removed)
   */
  Decision write(@Nullable Stored current, Session given, Instant now) {
    Session before = current == null ? null : current.session();
    Session after =
        given.toBuilder()
            .version(before == null ? 1 : before.version() + 1)
            .lastAccessedAt(now)
            .build();
    if (before == null && !capacity.tryAdd()) {
      return new Decision(null, new Result.Failure(new StoreFullException(capacity.maxSessions())));
    }
    Binding binding = principals.bind(before, after, now);
    if (binding != Binding.OK) {
      if (before == null) {
        capacity.remove();
      }
      if (binding == Binding.LOST) {
        gone(Objects.requireNonNull(before), SessionEvent.Type.EXPIRED, now);
        return new Decision(null, Result.LOST);
      }
      RuntimeException conflict =
          new PrincipalConflictException(Objects.requireNonNull(after.principal()));
      return new Decision(current, new Result.Failure(conflict));
    }
    publish(before == null ? SessionEvent.Type.CREATED : SessionEvent.Type.UPDATED, after, now);
    return new Decision(new Stored(after), new Result.Value(after));
  }

  /**
   * Inserts a session under a free id, its principal already bound or moved by the caller.
   *
   * @param session the session
   * @param now the store clock's time
   * @return the decision
   */
  Decision insert(Session session, Instant now) {
    publish(SessionEvent.Type.CREATED, session, now);
    return new Decision(new Stored(session), new Result.Value(session));
  }

  /**
   * Ends a live session inside its atomic section: unbinds it, gives back its place, publishes
   * {@code DESTROYED}, and leaves a tombstone dated now (SPEC R3.2, R3.4).
   *
   * @param session the live session
   * @param now the store clock's time
   * @return the tombstone
   */
  Tombstone destroy(Session session, Instant now) {
    principals.unbind(session);
    capacity.remove();
    publish(SessionEvent.Type.DESTROYED, session, now);
    return Tombstone.at(now);
  }

  /** Removes an expired session (with its EXPIRED event) or a tombstone past its grace. */
  private @Nullable Slot settle(@Nullable Slot current, Instant now) {
    if (current instanceof Stored stored) {
      Session session = stored.session();
      if (!isLive(session, now)) {
        gone(session, SessionEvent.Type.EXPIRED, now);
        removedSinceReport.incrementAndGet();
        return null;
      }
    } else if (current instanceof Tombstone && time.isDue(current, now)) {
      removedSinceReport.incrementAndGet();
      return null;
    }
    return current;
  }

  /**
   * Caffeine's eviction listener ({@code whenFull=evict}): runs inside the atomic removal of the
   * record, exactly once.
   */
  private void evicted(@Nullable String id, @Nullable Slot slot, RemovalCause cause) {
    if (slot instanceof Stored stored && cause.wasEvicted()) {
      gone(stored.session(), SessionEvent.Type.DESTROYED, time.now());
    }
  }

  /**
   * Forgets a session leaving other than by destroy: unbinds it, gives back its place, tells
   * subscribers.
   */
  void gone(Session session, SessionEvent.Type type, Instant now) {
    principals.unbind(session);
    capacity.remove();
    publish(type, session, now);
  }

  /**
   * Removes every due record and reports how many were removed since the last report, including
   * what was removed on the way (by writes, and by the timer of {@link Deadlines}).
   *
   * @return the number of expired sessions and old tombstones removed
   */
  long removeDue() {
    deadlines.runDue();
    // Also what no bucket is due for yet: exclusive sessions whose claim was taken over.
    Instant now = time.now();
    for (Map.Entry<String, Slot> entry : map.entrySet()) {
      Slot slot = entry.getValue();
      boolean due =
          slot instanceof Stored stored ? !isLive(stored.session(), now) : time.isDue(slot, now);
      if (due) {
        apply(entry.getKey(), (current, expired, at) -> new Decision(current, Result.NONE));
      }
    }
    return removedSinceReport.getAndSet(0);
  }

  /**
   * Removes the records of the buckets that are due, so expired sessions give back their places (a
   * session that expired less than a bucket ago included).
   */
  void removeDueQuickly() {
    deadlines.runUpTo(time.millis() + Deadlines.BUCKET_MILLIS);
    cache.cleanUp();
  }

  /**
   * Reads a live session without locking, refreshing or removing anything.
   *
   * @param id the id
   * @param now the store clock's time
   * @return the live session, or {@code null}
   */
  @Nullable Session live(String id, Instant now) {
    return live(policy.getIfPresentQuietly(id), now);
  }

  /**
   * The live sessions at a moment, in no particular order, read without locking.
   *
   * @param now the store clock's time
   * @return a weakly consistent view
   */
  Iterable<Session> sessions(Instant now) {
    return () ->
        map.values().stream()
            .<Session>mapMulti(
                (slot, out) -> {
                  Session s = live(slot, now);
                  if (s != null) {
                    out.accept(s);
                  }
                })
            .iterator();
  }

  /**
   * The live sessions bound to a principal.
   *
   * @param principal the principal
   * @param now the store clock's time
   * @return the sessions
   */
  List<Session> ofPrincipal(String principal, Instant now) {
    List<Session> found = new ArrayList<>();
    for (String id : principals.idsOf(principal)) {
      Session s = live(id, now);
      if (s != null && principal.equals(s.principal())) {
        found.add(s);
      }
    }
    return found;
  }

  /**
   * @return a snapshot of the ids held (sessions and tombstones)
   */
  Set<String> ids() {
    return Set.copyOf(map.keySet());
  }

  Principals principals() {
    return principals;
  }

  /** Forgets everything without events; for {@code close}. */
  void clear() {
    deadlines.clear();
    cache.invalidateAll(); // explicit removals: no events
    principals.clear();
    capacity.clear();
  }

  /** Whether a stored session is live: not expired, and still holding its claim if exclusive. */
  boolean isLive(Session session, Instant now) {
    return !session.isExpiredAt(now) && principals.holdsClaim(session);
  }

  private @Nullable Session live(@Nullable Slot slot, Instant now) {
    if (slot instanceof Stored stored && isLive(stored.session(), now)) {
      return stored.session();
    }
    return null;
  }

  void publish(SessionEvent.Type type, Session session, Instant now) {
    if (publisher.hasSubscribers()) {
      publisher.publish(new SessionEvent(type, session.id(), session, now));
    }
  }
}
