package dev.sessionstore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.spring.JacksonAttributeCodec;
import dev.sessionstore.spring.ReactiveSessionStoreRepository;
import dev.sessionstore.spring.SessionEventBridge;
import dev.sessionstore.spring.StoreSession;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.session.web.server.session.SpringSessionWebSessionStore;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.WebSessionManager;

class AutoConfigurationTest {

  @Test
  void propertiesBecomeStoreOptionsAndUnsetOnesKeepTheUris() {
    SessionStoreProperties properties = new SessionStoreProperties();
    properties.setUri("memory:?touchThreshold=PT5S");
    properties.setMaxIdle(Duration.ofMinutes(5));
    properties.setMaxSessionBytes(DataSize.ofKilobytes(64));
    properties.setTombstoneGrace(Duration.ofMinutes(2));
    StoreOptions options = SessionStoreAutoConfiguration.options(properties);
    assertThat(options.get(StoreOptions.MAX_IDLE)).isEqualTo(Duration.ofMinutes(5));
    assertThat(options.get(StoreOptions.MAX_SESSION_BYTES)).isEqualTo(64 * 1024L);
    assertThat(options.get(StoreOptions.TOMBSTONE_GRACE)).isEqualTo(Duration.ofMinutes(2));
    assertThat(options.get(StoreOptions.TOUCH_THRESHOLD))
        .as("from the URI")
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aReactiveApplicationGetsTheRepositoryBehindItsWebSessionManagerAndTheStoreClosesWithIt() {
    SessionStore store;
    try (ConfigurableApplicationContext context =
        ReactiveTestApp.start("sessionstore.uri=memory:", "sessionstore.max-idle=5m")) {
      store = context.getBean(SessionStore.class);
      ReactiveSessionStoreRepository repository =
          context.getBean(ReactiveSessionStoreRepository.class);
      assertThat(repository.getSessionStore()).isSameAs(store);
      assertThat(context.getBean(SessionEventBridge.class).isRunning()).isTrue();
      assertThat(context.getBean(dev.sessionstore.spring.AttributeCodec.class))
          .isInstanceOf(JacksonAttributeCodec.class);

      WebSessionManager manager = context.getBean(WebSessionManager.class);
      assertThat(manager).isInstanceOf(DefaultWebSessionManager.class);
      assertThat(((DefaultWebSessionManager) manager).getSessionStore())
          .isInstanceOf(SpringSessionWebSessionStore.class);
      assertThat(
              ReflectionTestUtils.getField(
                  ((DefaultWebSessionManager) manager).getSessionStore(), "sessions"))
          .isSameAs(repository);

      StoreSession session = repository.createSession().block();
      session.setAttribute("a", 1L);
      repository.save(session).block();
      assertThat(store.get(session.getId()).block().maxIdle()).isEqualTo(Duration.ofMinutes(5));
    }
    assertThatThrownBy(() -> store.count().block())
        .as("closed with the context")
        .isInstanceOf(IllegalStateException.class);
  }
}
