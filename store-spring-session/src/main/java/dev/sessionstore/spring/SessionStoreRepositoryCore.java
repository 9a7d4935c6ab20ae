package dev.sessionstore.spring;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.ReactiveFindByIndexNameSessionRepository;
import org.springframework.session.SaveMode;
import reactor.core.publisher.Mono;

/** What both repositories share: the mapping between Spring sessions and store sessions. */
final class SessionStoreRepositoryCore {

  static final String PRINCIPAL_NAME_INDEX_NAME =
      FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME;
  static final String REACTIVE_PRINCIPAL_NAME_INDEX_NAME =
      ReactiveFindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME;
  static final String SPRING_SECURITY_CONTEXT = "SPRING_SECURITY_CONTEXT";

  /** The attributes from which a session's principal binding is derived. */
  static final Set<String> PRINCIPAL_ATTRIBUTES =
      Set.of(
          PRINCIPAL_NAME_INDEX_NAME,
          REACTIVE_PRINCIPAL_NAME_INDEX_NAME,
          SPRING_SECURITY_CONTEXT,
          StoreSession.EXCLUSIVE_ATTRIBUTE);

  private static final Expression AUTHENTICATION_NAME =
      new SpelExpressionParser().parseExpression("authentication?.name");

  private final SessionStore store;
  private final boolean blocking;
  private volatile AttributeCodec codec = AttributeCodec.refusing();
  private volatile SaveMode saveMode = SaveMode.ON_SET_ATTRIBUTE;
  private volatile InstantSource clock = InstantSource.system();
  private volatile SessionIdGenerator idGenerator = SessionIdGenerator.secureRandom();
  private volatile @Nullable Duration defaultMaxInactiveInterval = Duration.ofMinutes(30);
  private volatile boolean exclusiveLogin;

  SessionStoreRepositoryCore(SessionStore store, boolean blocking) {
    this.store = Objects.requireNonNull(store, "store");
    this.blocking = blocking;
  }

  SessionStore store() {
    return store;
  }

  AttributeCodec codec() {
    return codec;
  }

  void codec(AttributeCodec codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  SaveMode saveMode() {
    return saveMode;
  }

  void saveMode(SaveMode saveMode) {
    this.saveMode = Objects.requireNonNull(saveMode, "saveMode");
  }

  Instant now() {
    return clock.instant();
  }

  void clock(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  void idGenerator(SessionIdGenerator idGenerator) {
    this.idGenerator = Objects.requireNonNull(idGenerator, "idGenerator");
  }

  void defaultMaxInactiveInterval(@Nullable Duration interval) {
    this.defaultMaxInactiveInterval =
        interval == null || interval.isZero() || interval.isNegative() ? null : interval;
  }

  void exclusiveLogin(boolean exclusiveLogin) {
    this.exclusiveLogin = exclusiveLogin;
  }

  StoreSession createSession() {
    return new StoreSession(this, idGenerator.generate(), now(), defaultMaxInactiveInterval);
  }

  Mono<StoreSession> findById(String id) {
    return store.get(id).map(this::wrap);
  }

  StoreSession wrap(Session session) {
    return new StoreSession(this, session);
  }

  Mono<Void> deleteById(String id) {
    return store.destroy(id).then();
  }

  Mono<Map<String, StoreSession>> findByPrincipal(String indexName, String indexValue) {
    if (!PRINCIPAL_NAME_INDEX_NAME.equals(indexName)
        && !REACTIVE_PRINCIPAL_NAME_INDEX_NAME.equals(indexName)) {
      return Mono.just(Map.of());
    }
    return store.findByPrincipal(indexValue).collectMap(Session::id, this::wrap);
  }

  String changeSessionId(StoreSession session) {
    String newId = idGenerator.generate();
    if (!session.persisted() || !blocking) {
      // New sessions are not in the store yet; WebFlux saves (and so moves) right after this call.
      return session.changeIdLocally(newId);
    }
    Session moved = store.regenerate(session.storedId()).block();
    if (moved == null) {
      session.markGone();
      return session.changeIdLocally(newId);
    }
    session.movedTo(moved.id());
    return moved.id();
  }

  Mono<Void> claimExclusive(String sessionId, String principal) {
    Objects.requireNonNull(principal, "principal");
    return store
        .update(sessionId, current -> current.withPrincipal(principal, true))
        .switchIfEmpty(
            Mono.defer(
                () ->
                    store.save(
                        Session.builder(sessionId)
                            .principal(principal, true)
                            .maxIdle(defaultMaxInactiveInterval)
                            .createdAt(now())
                            .lastAccessedAt(now())
                            .build())))
        .onErrorMap(
            PrincipalConflictException.class, e -> new ExclusiveLoginException(e.principal(), e))
        .then();
  }

  /** Writes the request's changes: one atomic update, then the pending id change if any. */
  Mono<Void> save(StoreSession session) {
    return Mono.defer(
        () -> {
          if (session.gone()) {
            return Mono.empty();
          }
          StoreSession.Changes changes = session.changes();
          String principal = changes.principalMayChange() ? principalOf(session) : null;
          boolean exclusive =
              principal != null
                  && (exclusiveLogin
                      || Boolean.TRUE.equals(session.peek(StoreSession.EXCLUSIVE_ATTRIBUTE)));
          Mono<Session> write;
          if (!session.persisted()) {
            Session created =
                Session.builder(session.storedId())
                    .data(SessionData.of(changes.set()))
                    .principal(principal, exclusive)
                    .maxIdle(changes.maxIdle())
                    .createdAt(changes.creationTime())
                    .lastAccessedAt(now())
                    .build();
            write = store.save(created);
          } else if (changes.isEmpty()) {
            write = Mono.empty();
          } else {
            write =
                store
                    .update(session.storedId(), apply(changes, principal, exclusive))
                    .switchIfEmpty(Mono.fromRunnable(session::markGone));
          }
          Mono<Void> saved =
              write
                  .doOnNext(session::written)
                  .onErrorMap(
                      PrincipalConflictException.class,
                      e -> {
                        session.discardChanges();
                        return new ExclusiveLoginException(e.principal(), e);
                      })
                  .then();
          return saved.then(Mono.defer(() -> move(session)));
        });
  }

  private Mono<Void> move(StoreSession session) {
    if (!session.idChanged() || session.gone()) {
      return Mono.empty();
    }
    return store
        .regenerate(session.storedId())
        .doOnNext(moved -> session.movedTo(moved.id()))
        .switchIfEmpty(Mono.fromRunnable(session::markGone))
        .then();
  }

  private static UnaryOperator<Session> apply(
      StoreSession.Changes changes, @Nullable String principal, boolean exclusive) {
    return current -> {
      SessionData data = current.data();
      for (String name : changes.removed()) {
        data = data.without(name);
      }
      for (Map.Entry<String, Object> entry : changes.set().entrySet()) {
        data = data.with(entry.getKey(), entry.getValue());
      }
      Session next = current.withData(data);
      if (changes.maxIdleChanged()) {
        next = next.withMaxIdle(changes.maxIdle());
      }
      if (changes.principalMayChange()) {
        next = next.withPrincipal(principal, exclusive);
      }
      return next;
    };
  }

  /**
   * The principal a session is bound to, resolved as Spring Session's PrincipalNameIndexResolver
   * does.
   */
  static @Nullable String principalOf(StoreSession session) {
    for (String name :
        new String[] {PRINCIPAL_NAME_INDEX_NAME, REACTIVE_PRINCIPAL_NAME_INDEX_NAME}) {
      if (session.peek(name) instanceof String principal) {
        return principal;
      }
    }
    Object context = session.peek(SPRING_SECURITY_CONTEXT);
    return context == null ? null : AUTHENTICATION_NAME.getValue(context, String.class);
  }
}
