package dev.sessionstore.spi;

import dev.sessionstore.SessionEvent;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * Fans a store's events out to its subscribers without ever blocking the store: a building block for
 * {@link dev.sessionstore.SessionStore#events()} implementations.
 *
 * <p>Each subscriber has its own bounded buffer; an event that does not fit is dropped for that
 * subscriber and counted in {@link #dropped()}. Subscribers receive events on a Reactor scheduler
 * thread (of {@link Schedulers#parallel()}), never on the thread that published them, in the order {@link #publish(SessionEvent)} was
 * called. Thread-safe.
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
      throw new IllegalArgumentException("event buffer must hold at least one event: " + bufferSize);
    }
    this.bufferSize = bufferSize;
  }

  /**
   * Delivers an event to every current subscriber; never blocks.
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
    return Flux.defer(() -> {
      if (closed) {
        return Flux.empty();
      }
      Subscription subscription = new Subscription();
      subscriptions.add(subscription);
      if (closed) {
        subscriptions.remove(subscription);
        return Flux.empty();
      }
      return subscription.sink.asFlux()
          .publishOn(Schedulers.parallel(), 32)
          .doFinally(signal -> subscriptions.remove(subscription));
    });
  }

  /** @return whether anyone is subscribed, so a store can skip building events nobody reads */
  public boolean hasSubscribers() {
    return !subscriptions.isEmpty();
  }

  /** @return how many events were dropped because a subscriber's buffer was full */
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

  private final class Subscription {
    private final Sinks.Many<SessionEvent> sink;

    Subscription() {
      Queue<SessionEvent> queue = Queues.<SessionEvent>get(bufferSize).get();
      this.sink = Sinks.unsafe().many().unicast().onBackpressureBuffer(queue);
    }

    synchronized void offer(SessionEvent event) {
      if (sink.tryEmitNext(event).isFailure()) {
        dropped.incrementAndGet();
      }
    }

    synchronized void complete() {
      sink.tryEmitComplete();
    }
  }
}
