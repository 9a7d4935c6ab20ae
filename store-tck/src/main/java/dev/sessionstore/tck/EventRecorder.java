package dev.sessionstore.tck;

import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import reactor.core.Disposable;

/** Records a store's events for a test; waits for expected ones with a bound. */
final class EventRecorder implements AutoCloseable {

  /** How long the kit waits for an event that must come. */
  static final Duration EVENT_WAIT = Duration.ofSeconds(5);

  private final Queue<SessionEvent> events = new ConcurrentLinkedQueue<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final Disposable subscription;

  EventRecorder(SessionStore store) {
    this.subscription = store.events().subscribe(events::add, errors::add);
  }

  /** The events received so far, in arrival order. */
  List<SessionEvent> events() {
    if (!errors.isEmpty()) {
      throw new AssertionError("the events stream failed: " + errors.get(0), errors.get(0));
    }
    return new ArrayList<>(events);
  }

  /**
   * Waits until an event matching the predicate has arrived; fails the test after {@link
   * #EVENT_WAIT}.
   */
  SessionEvent await(Predicate<SessionEvent> wanted, String what) {
    long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
    while (true) {
      for (SessionEvent event : events()) {
        if (wanted.test(event)) {
          return event;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no " + what + " event within " + EVENT_WAIT + "; received " + events());
      }
      LockSupport.parkNanos(
          1_000_000); // polls the asynchronous delivery; nothing waits for expiry here
    }
  }

  /**
   * Waits at most {@code wait} for an event matching the predicate; looks at least once, so a zero
   * wait checks what has arrived.
   */
  boolean arrives(Predicate<SessionEvent> wanted, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      for (SessionEvent event : events) {
        if (wanted.test(event)) {
          return true;
        }
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** The events of one session id, in arrival order. */
  List<SessionEvent> eventsOf(String sessionId) {
    List<SessionEvent> of = new ArrayList<>();
    for (SessionEvent event : events()) {
      if (event.sessionId().equals(sessionId)) {
        of.add(event);
      }
    }
    return of;
  }

  @Override
  public void close() {
    subscription.dispose();
  }
}
