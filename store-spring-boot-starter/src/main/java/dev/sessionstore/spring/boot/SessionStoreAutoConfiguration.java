package dev.sessionstore.spring.boot;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.spring.AttributeCodec;
import dev.sessionstore.spring.JacksonAttributeCodec;
import dev.sessionstore.spring.ReactiveSessionStoreRepository;
import dev.sessionstore.spring.SessionEventBridge;
import dev.sessionstore.spring.SessionStoreRepository;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.session.autoconfigure.SessionAutoConfiguration;
import org.springframework.boot.session.autoconfigure.SessionTimeout;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;
import org.springframework.session.config.annotation.web.server.EnableSpringWebSession;
import org.springframework.util.ClassUtils;

/**
 * Opens the {@link SessionStore} named by {@code sessionstore.uri} (default {@code memory:}) and
 * puts it behind Spring Session: a {@link ReactiveSessionStoreRepository} backing WebFlux's {@code
 * WebSessionManager} in a reactive application, a {@link SessionStoreRepository} behind the servlet
 * {@code SessionRepositoryFilter} in a servlet one. The store is closed with the context.
 *
 * <p>Every bean backs off when the application defines its own: a {@link SessionStore} bean (then
 * the application closes it), an {@link AttributeCodec} (default: {@link
 * JacksonAttributeCodec#withSpringSecurity(ClassLoader)} when Jackson 3 and Spring Security are on
 * the class path, else {@link AttributeCodec#refusing()}), or a repository.
 */
@AutoConfiguration(
    before = SessionAutoConfiguration.class,
    beforeName = {
      "org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration",
      "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration"
    },
    afterName =
        "org.springframework.boot.webflux.autoconfigure.WebSessionIdResolverAutoConfiguration")
@ConditionalOnClass({SessionStore.class, Session.class})
@EnableConfigurationProperties(SessionStoreProperties.class)
public class SessionStoreAutoConfiguration {

  private static final String JACKSON = "tools.jackson.databind.json.JsonMapper";
  private static final String SECURITY_JACKSON =
      "org.springframework.security.jackson.SecurityJacksonModules";

  /** Creates the auto-configuration; Spring calls this. */
  public SessionStoreAutoConfiguration() {}

  /**
   * The store, opened from the properties and closed with the context.
   *
   * @param properties the {@code sessionstore.*} properties
   * @return the store
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SessionStore sessionStore(SessionStoreProperties properties) {
    return SessionStores.open(options(properties));
  }

  static StoreOptions options(SessionStoreProperties properties) {
    StoreOptions options = StoreOptions.parse(properties.getUri());
    if (properties.getMaxIdle() != null) {
      options = options.with(StoreOptions.MAX_IDLE, properties.getMaxIdle());
    }
    if (properties.getTouchThreshold() != null) {
      options = options.with(StoreOptions.TOUCH_THRESHOLD, properties.getTouchThreshold());
    }
    if (properties.getTombstoneGrace() != null) {
      options = options.with(StoreOptions.TOMBSTONE_GRACE, properties.getTombstoneGrace());
    }
    if (properties.getMaxSessionBytes() != null) {
      options =
          options.with(StoreOptions.MAX_SESSION_BYTES, properties.getMaxSessionBytes().toBytes());
    }
    if (properties.getTimeout() != null) {
      options = options.with(StoreOptions.TIMEOUT, properties.getTimeout());
    }
    if (properties.getCleanupInterval() != null) {
      options = options.with(StoreOptions.CLEANUP_INTERVAL, properties.getCleanupInterval());
    }
    return options;
  }

  /**
   * The codec of attribute values outside the store's JSON-like data model.
   *
   * @return the codec
   */
  @Bean
  @ConditionalOnMissingBean
  public AttributeCodec sessionAttributeCodec() {
    ClassLoader loader = SessionStoreAutoConfiguration.class.getClassLoader();
    if (ClassUtils.isPresent(JACKSON, loader) && ClassUtils.isPresent(SECURITY_JACKSON, loader)) {
      return JacksonAttributeCodec.withSpringSecurity(loader);
    }
    return AttributeCodec.refusing();
  }

  /**
   * Publishes the store's events as Spring Session's session events.
   *
   * @param store the store
   * @param codec the attribute codec
   * @param publisher the application context
   * @return the bridge, started and stopped with the context
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(
      name = "sessionstore.publish-events",
      havingValue = "true",
      matchIfMissing = true)
  public SessionEventBridge sessionStoreEventBridge(
      SessionStore store, AttributeCodec codec, ApplicationEventPublisher publisher) {
    return new SessionEventBridge(store, codec, publisher);
  }

  static @Nullable Duration maxIdle(
      SessionStoreProperties properties, ObjectProvider<SessionTimeout> timeout) {
    if (properties.getMaxIdle() != null) {
      return properties.getMaxIdle();
    }
    SessionTimeout sessionTimeout = timeout.getIfAvailable();
    Duration fromSpring = sessionTimeout == null ? null : sessionTimeout.getTimeout();
    return fromSpring == null ? Duration.ofMinutes(30) : fromSpring;
  }

  /** WebFlux: the repository behind the {@code WebSessionManager}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = Type.REACTIVE)
  @EnableSpringWebSession
  static class ReactiveConfiguration {

    @Bean
    @ConditionalOnMissingBean(ReactiveSessionRepository.class)
    ReactiveSessionStoreRepository reactiveSessionStoreRepository(
        SessionStore store,
        AttributeCodec codec,
        SessionStoreProperties properties,
        ObjectProvider<SessionTimeout> timeout) {
      ReactiveSessionStoreRepository repository = new ReactiveSessionStoreRepository(store);
      repository.setAttributeCodec(codec);
      repository.setSaveMode(properties.getSaveMode());
      repository.setExclusiveLogin(properties.isExclusiveLogin());
      repository.setDefaultMaxInactiveInterval(maxIdle(properties, timeout));
      return repository;
    }
  }

  /** Servlet: the repository behind the {@code SessionRepositoryFilter}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = Type.SERVLET)
  @EnableSpringHttpSession
  static class ServletConfiguration {

    @Bean
    @ConditionalOnMissingBean(SessionRepository.class)
    SessionStoreRepository sessionStoreRepository(
        SessionStore store,
        AttributeCodec codec,
        SessionStoreProperties properties,
        ObjectProvider<SessionTimeout> timeout) {
      SessionStoreRepository repository = new SessionStoreRepository(store);
      repository.setAttributeCodec(codec);
      repository.setSaveMode(properties.getSaveMode());
      repository.setExclusiveLogin(properties.isExclusiveLogin());
      repository.setDefaultMaxInactiveInterval(maxIdle(properties, timeout));
      return repository;
    }
  }
}
