package dev.sessionstore.spring;

import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.SaveMode;

/**
 * A Spring Session repository for servlet applications (Spring MVC, {@code
 * SessionRepositoryFilter}) over any {@link SessionStore}; it waits for the store's answers on the
 * calling thread.
 *
 * <p>It behaves as {@link ReactiveSessionStoreRepository} does: per-attribute delta saves in one
 * atomic update, destroy that no request in flight can undo, {@code maxInactiveInterval} as the
 * store's {@code maxIdle}, the principal index as the store's principal, exclusive logins. {@code
 * changeSessionId} moves the stored session at once ({@code store.regenerate}) and returns the
 * store's new id.
 *
 * <p>Thread-safe; configure it before use.
 */
public class SessionStoreRepository implements FindByIndexNameSessionRepository<StoreSession> {

  private final SessionStoreRepositoryCore core;

  /**
   * Creates a repository over a store; the caller keeps ownership of the store and closes it.
   *
   * @param store the store
   */
  public SessionStoreRepository(SessionStore store) {
    this.core = new SessionStoreRepositoryCore(store, true);
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

  /**
   * Binds a session to a principal exclusively, at once and atomically; a session not yet saved is
   * stored with just the claim (its first save then writes the rest). Used by {@link
   * ExclusiveLoginAuthenticationStrategy}.
   *
   * @param sessionId the session's current id
   * @param principal the principal to claim
   * @throws ExclusiveLoginException if another live session holds the principal exclusively
   */
  public void claimExclusive(String sessionId, String principal) {
    core.claimExclusive(sessionId, principal).block();
  }

  @Override
  public StoreSession createSession() {
    return core.createSession();
  }

  /**
   * {@inheritDoc}
   *
   * @throws ExclusiveLoginException if the session would be bound to a principal that another live
   *     session holds exclusively
   */
  @Override
  public void save(StoreSession session) {
    core.save(session).block();
  }

  @Override
  public @Nullable StoreSession findById(String id) {
    return core.findById(id).block();
  }

  @Override
  public void deleteById(String id) {
    core.deleteById(id).block();
  }

  @Override
  public Map<String, StoreSession> findByIndexNameAndIndexValue(
      String indexName, String indexValue) {
    Map<String, StoreSession> found = core.findByPrincipal(indexName, indexValue).block();
    return found == null ? Map.of() : found;
  }
}
