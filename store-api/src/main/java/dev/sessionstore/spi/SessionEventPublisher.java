package dev.sessionstore.spi;

import dev.sessionstore.SessionEvent;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Schedulers;

/**
 * Fans a store's events out to its subscribers without ever blocking the store: a building block
 * for {@link dev.sessionstore.SessionStore#events()} implementations.
 *
 * <p>Each subscriber has its own bounded buffer; an event that does not fit is dropped for that
 * subscriber and counted in {@link #dropped()}. {@link #publish(SessionEvent)} takes no lock: it
 * counts the subscriber's pending events with one atomic and hands the event to Reactor's
 * serialized sink (a lock-free queue drained by whichever thread holds it), so stores may call it
 * inside their per-id atomic sections without making unrelated writers wait for each other.
 * Subscribers receive events on a thread of {@link Schedulers#parallel()}, never on the thread that
 * published them, in the order {@link #publish(SessionEvent)} calls completed (so per-id version
 * order is kept when a store publishes inside its per-id section). Thread-safe.
 */
public final class SessionEventPublisher implements AutoCloseable {

  /** The default per-subscriber buffer, in events. */
  public static final int DEFAULT_BUFFER = 1024;

  private final int bufferSize;
  private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  /** Creates a publisher with a buffer of {@value #DEFAULT_BUFFER} events per subscriber. */
  public SessionEventPublisher() {
    this(DEFAULT_BUFFER);
  }

  /**
   * Creates a publisher.
   *
   * @param bufferSize events buffered per subscriber before drops begin; at least 1
   */
  public SessionEventPublisher(int bufferSize) {
    if (bufferSize < 1) {
      throw new IllegalArgumentException(
          "event buffer must hold at least one event: " + bufferSize);
    }
    this.bufferSize = bufferSize;
  }

  /**
   * Delivers an event to every current subscriber; never blocks and takes no lock.
   *
   * @param event the event
   */
  public void publish(SessionEvent event) {
    for (Subscription subscription : subscriptions) {
      subscription.offer(event);
    }
  }

  /**
   * Returns a hot stream of the events published from the moment of subscription on.
   *
   * @return the events; completes when the publisher is closed
   */
  public Flux<SessionEvent> events() {
    return Flux.defer(
        () -> {
          AtomicInteger pending = new AtomicInteger();
          return Flux.<SessionEvent>create(
                  sink -> {
                    Subscription subscription = new Subscription(sink, pending);
                    subscriptions.add(subscription);
                    sink.onDispose(() -> subscriptions.remove(subscription));
                    if (closed) {
                      subscription.complete();
                    }
                  },
                  FluxSink.OverflowStrategy.BUFFER)
              .publishOn(Schedulers.parallel(), 32)
              .doOnNext(event -> pending.decrementAndGet());
        });
  }

  /**
   * @return whether anyone is subscribed, so a store can skip building events nobody reads
   */
  public boolean hasSubscribers() {
    return !subscriptions.isEmpty();
  }

  /**
   * @return how many events were dropped because a subscriber's buffer was full
   */
  public long dropped() {
    return dropped.get();
  }

  /** Completes every subscriber's stream. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (Subscription subscription : subscriptions) {
      subscription.complete();
    }
    subscriptions.clear();
  }

  /** One subscriber: its serialized sink and how many of its events are not delivered yet. */
  private final class Subscription {
    private final FluxSink<SessionEvent> sink;
    private final AtomicInteger pending;

    Subscription(FluxSink<SessionEvent> sink, AtomicInteger pending) {
      this.sink = sink;
      this.pending = pending;
    }

    void offer(SessionEvent event) {
      if (pending.incrementAndGet() > bufferSize) {
        pending.decrementAndGet();
        dropped.incrementAndGet();
        return;
      }
      sink.next(event);
    }

    void complete() {
      sink.complete();
    }
  }
}
