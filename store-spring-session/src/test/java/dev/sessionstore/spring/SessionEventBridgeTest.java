package dev.sessionstore.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.session.events.AbstractSessionEvent;
import org.springframework.session.events.SessionCreatedEvent;
import org.springframework.session.events.SessionDeletedEvent;

class SessionEventBridgeTest {

  @Test
  void storeEventsArriveAsSpringSessionEvents() throws Exception {
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    try (SessionStore store = SessionStores.open("memory:")) {
      SessionEventBridge bridge =
          new SessionEventBridge(store, AttributeCodec.refusing(), events::add);
      bridge.start();
      assertThat(bridge.isRunning()).isTrue();
      String id = store.create(SessionDraft.empty().withPrincipal("ida", false)).block().id();
      store.update(id, s -> s.withAttribute("a", 1L)).block(); // UPDATED: no Spring event
      store.destroy(id).block();

      Object created = events.poll(30, TimeUnit.SECONDS);
      Object deleted = events.poll(30, TimeUnit.SECONDS);
      assertThat(created).isInstanceOf(SessionCreatedEvent.class);
      assertThat(deleted).isInstanceOf(SessionDeletedEvent.class);
      for (Object event : List.of(created, deleted)) {
        assertThat(((AbstractSessionEvent) event).getSessionId()).isEqualTo(id);
      }
      StoreSession session = ((AbstractSessionEvent) deleted).getSession();
      assertThat(session.storedSession().principal()).isEqualTo("ida");

      bridge.stop();
      assertThat(bridge.isRunning()).isFalse();
      store.create(SessionDraft.empty()).block();
      assertThat(events).as("nothing but what arrived before stop").isEmpty();
    }
  }
}
