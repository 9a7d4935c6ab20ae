package dev.sessionstore.spring;

import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.session.ReactiveFindByIndexNameSessionRepository;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.SaveMode;
import reactor.core.publisher.Mono;

/**
 * A Spring Session repository for WebFlux over any {@link SessionStore}.
 *
 * <p>What it adds to Spring Session's own repositories:
 *
 * <ul>
 *   <li>A save writes only the attributes the request set or removed, in one atomic {@code
 *       store.update}: concurrent requests of one session never lose each other's attributes; two
 *       requests setting the same attribute: the last write wins for that attribute only.
 *   <li>{@code deleteById} (logout, {@code invalidate}) destroys the session in the store, which
 *       leaves a tombstone: a request still in flight cannot write the session back.
 *   <li>{@code changeSessionId} moves the session with {@code store.regenerate}; the new id is the
 *       store's and is known after the save that WebFlux runs right after the change.
 *   <li>{@code maxInactiveInterval} is the store's {@code maxIdle}; the principal a session is
 *       bound to (Spring Security's authentication name, or the principal-name index attribute) is
 *       the store's principal, which {@link #findByPrincipalName(String)} queries; a login can be
 *       made exclusive ({@link ExclusiveLoginException}).
 * </ul>
 *
 * <p>Thread-safe; configure it before use.
 */
public class ReactiveSessionStoreRepository
    implements ReactiveSessionRepository<StoreSession>,
        ReactiveFindByIndexNameSessionRepository<StoreSession> {

  private final SessionStoreRepositoryCore core;

  /**
   * Creates a repository over a store; the caller keeps ownership of the store and closes it.
   *
   * @param store the store
   */
  public ReactiveSessionStoreRepository(SessionStore store) {
    this.core = new SessionStoreRepositoryCore(store, false);
  }

  /**
   * Sets how attribute values outside the store's JSON-like data model are written (default {@link
   * AttributeCodec#refusing()}; the starter configures {@link JacksonAttributeCodec} when Jackson
   * is present).
   *
   * @param codec the codec
   */
  public void setAttributeCodec(AttributeCodec codec) {
    core.codec(codec);
  }

  /**
   * Sets which attributes a save writes besides those set or removed during the request: {@link
   * SaveMode#ON_SET_ATTRIBUTE} (the default) writes only those, {@link SaveMode#ON_GET_ATTRIBUTE}
   * also those read (for applications that change mutable values in place), {@link SaveMode#ALWAYS}
   * all. Every write is still one atomic per-attribute update.
   *
   * @param saveMode the save mode
   */
  public void setSaveMode(SaveMode saveMode) {
    core.saveMode(saveMode);
  }

  /**
   * Sets the idle limit of new sessions (default 30 minutes; zero or negative: no idle limit).
   *
   * @param interval the idle limit
   */
  public void setDefaultMaxInactiveInterval(@Nullable Duration interval) {
    core.defaultMaxInactiveInterval(interval);
  }

  /**
   * Makes every login exclusive: a session bound to a principal (by Spring Security's context or
   * the principal-name attribute) is its principal's only live session, and binding another one
   * fails with {@link ExclusiveLoginException} (default {@code false}; one session can ask for it
   * with {@link StoreSession#EXCLUSIVE_ATTRIBUTE}).
   *
   * @param exclusiveLogin whether logins are exclusive
   */
  public void setExclusiveLogin(boolean exclusiveLogin) {
    core.exclusiveLogin(exclusiveLogin);
  }

  /**
   * Sets how ids of new sessions are made (default {@link SessionIdGenerator#secureRandom()}: 256
   * random bits). Ids of moved sessions ({@code changeSessionId}) come from the store.
   *
   * @param idGenerator the generator
   */
  public void setSessionIdGenerator(SessionIdGenerator idGenerator) {
    core.idGenerator(idGenerator);
  }

  /**
   * Sets the clock of the sessions' local view (creation time of new sessions, {@code isExpired});
   * give it the store's clock (default the system clock).
   *
   * @param clock the clock
   */
  public void setClock(InstantSource clock) {
    core.clock(clock);
  }

  /**
   * Returns the store this repository reads and writes.
   *
   * @return the store
   */
  public SessionStore getSessionStore() {
    return core.store();
  }

  @Override
  public Mono<StoreSession> createSession() {
    return Mono.fromSupplier(core::createSession);
  }

  /**
   * {@inheritDoc}
   *
   * @throws ExclusiveLoginException (signalled) if the session would be bound to a principal that
   *     another live session holds exclusively
   */
  @Override
  public Mono<Void> save(StoreSession session) {
    return core.save(session);
  }

  @Override
  public Mono<StoreSession> findById(String id) {
    return core.findById(id);
  }

  @Override
  public Mono<Void> deleteById(String id) {
    return core.deleteById(id);
  }

  @Override
  public Mono<Map<String, StoreSession>> findByIndexNameAndIndexValue(
      String indexName, String indexValue) {
    return core.findByPrincipal(indexName, indexValue);
  }
}
