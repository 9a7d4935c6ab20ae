package dev.sessionstore.spring;

import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.session.events.AbstractSessionEvent;
import org.springframework.session.events.SessionCreatedEvent;
import org.springframework.session.events.SessionDeletedEvent;
import org.springframework.session.events.SessionExpiredEvent;
import reactor.core.Disposable;

/**
 * Publishes a store's events as Spring Session's application events while the application context
 * runs: {@code CREATED} as {@link SessionCreatedEvent}, {@code DESTROYED} as {@link
 * SessionDeletedEvent}, {@code EXPIRED} as {@link SessionExpiredEvent}. Spring Session has no event
 * for {@code UPDATED}, so those are not published. Spring Session's servlet support turns these
 * events into {@code HttpSessionListener} calls, and Spring Security's session registry listens to
 * them.
 *
 * <p>A store without the {@code EVENTS} capability publishes nothing. Events are published on the
 * store's event thread, never on a request's; a listener that fails is logged and does not stop the
 * bridge. Thread-safe.
 */
public final class SessionEventBridge implements SmartLifecycle {

  private static final Log log = LogFactory.getLog(SessionEventBridge.class);

  private final SessionStore store;
  private final ApplicationEventPublisher publisher;
  private final SessionStoreRepositoryCore sessions;
  private @Nullable Disposable subscription;

  /**
   * Creates a bridge.
   *
   * @param store the store whose events are published
   * @param codec the codec with which the sessions carried by the events decode their attributes
   * @param publisher where the events go, usually the application context
   */
  public SessionEventBridge(
      SessionStore store, AttributeCodec codec, ApplicationEventPublisher publisher) {
    this.store = Objects.requireNonNull(store, "store");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.sessions = new SessionStoreRepositoryCore(store, false);
    this.sessions.codec(codec);
  }

  @Override
  public synchronized void start() {
    if (subscription == null) {
      subscription =
          store
              .events()
              .subscribe(
                  this::publish, error -> log.warn("session events stopped: " + error, error));
    }
  }

  private void publish(SessionEvent event) {
    StoreSession session = sessions.wrap(event.session());
    AbstractSessionEvent springEvent =
        switch (event.type()) {
          case CREATED -> new SessionCreatedEvent(store, session);
          case DESTROYED -> new SessionDeletedEvent(store, session);
          case EXPIRED -> new SessionExpiredEvent(store, session);
          case UPDATED -> null;
        };
    if (springEvent == null) {
      return;
    }
    try {
      publisher.publishEvent(springEvent);
    } catch (RuntimeException e) {
      log.warn("a listener of " + springEvent.getClass().getSimpleName() + " failed: " + e, e);
    }
  }

  @Override
  public synchronized void stop() {
    if (subscription != null) {
      subscription.dispose();
      subscription = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return subscription != null;
  }
}
