package dev.sessionstore.spring.boot;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.session.SaveMode;
import org.springframework.util.unit.DataSize;

/**
 * The {@code sessionstore.*} properties. Only {@link #getUri() uri} is usually needed; the store
 * options left unset keep the store's defaults (or the value given as a parameter of the URI).
 */
@ConfigurationProperties("sessionstore")
public class SessionStoreProperties {

  private String uri = "memory:";
  private @Nullable Duration maxIdle;
  private @Nullable Duration touchThreshold;
  private @Nullable Duration tombstoneGrace;
  private @Nullable DataSize maxSessionBytes;
  private @Nullable Duration timeout;
  private @Nullable Duration cleanupInterval;
  private boolean exclusiveLogin;
  private SaveMode saveMode = SaveMode.ON_SET_ATTRIBUTE;
  private boolean publishEvents = true;

  /**
   * The store URI, such as {@code memory:} (the default) or {@code
   * mongodb://host/app?collection=sessions}; the store is chosen by the scheme among the store jars
   * on the class path.
   *
   * @return the store URI
   */
  public String getUri() {
    return uri;
  }

  /**
   * Sets the store URI.
   *
   * @param uri the store URI
   */
  public void setUri(String uri) {
    this.uri = uri;
  }

  /**
   * The idle limit of new sessions (the store option {@code maxIdle}); unset: {@code
   * spring.session.timeout}, else the server's session timeout, else 30 minutes.
   *
   * @return the idle limit, or {@code null} if unset
   */
  public @Nullable Duration getMaxIdle() {
    return maxIdle;
  }

  /**
   * Sets the idle limit of new sessions.
   *
   * @param maxIdle the idle limit
   */
  public void setMaxIdle(@Nullable Duration maxIdle) {
    this.maxIdle = maxIdle;
  }

  /**
   * How old the last access must be before a read refreshes it (the store option {@code
   * touchThreshold}).
   *
   * @return the threshold, or {@code null} if unset
   */
  public @Nullable Duration getTouchThreshold() {
    return touchThreshold;
  }

  /**
   * Sets the touch threshold.
   *
   * @param touchThreshold the threshold
   */
  public void setTouchThreshold(@Nullable Duration touchThreshold) {
    this.touchThreshold = touchThreshold;
  }

  /**
   * How long a destroyed session's tombstone is kept (the store option {@code tombstoneGrace}).
   *
   * @return the grace, or {@code null} if unset
   */
  public @Nullable Duration getTombstoneGrace() {
    return tombstoneGrace;
  }

  /**
   * Sets the tombstone grace.
   *
   * @param tombstoneGrace the grace
   */
  public void setTombstoneGrace(@Nullable Duration tombstoneGrace) {
    this.tombstoneGrace = tombstoneGrace;
  }

  /**
   * The largest encoded session the store accepts (the store option {@code maxSessionBytes}).
   *
   * @return the size, or {@code null} if unset
   */
  public @Nullable DataSize getMaxSessionBytes() {
    return maxSessionBytes;
  }

  /**
   * Sets the largest encoded session.
   *
   * @param maxSessionBytes the size
   */
  public void setMaxSessionBytes(@Nullable DataSize maxSessionBytes) {
    this.maxSessionBytes = maxSessionBytes;
  }

  /**
   * How long an operation on a remote backend may take (the store option {@code timeout}).
   *
   * @return the timeout, or {@code null} if unset
   */
  public @Nullable Duration getTimeout() {
    return timeout;
  }

  /**
   * Sets the operation timeout.
   *
   * @param timeout the timeout
   */
  public void setTimeout(@Nullable Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * How often the store cleans up by itself (the store option {@code cleanupInterval}).
   *
   * @return the interval, or {@code null} if unset
   */
  public @Nullable Duration getCleanupInterval() {
    return cleanupInterval;
  }

  /**
   * Sets the cleanup interval.
   *
   * @param cleanupInterval the interval
   */
  public void setCleanupInterval(@Nullable Duration cleanupInterval) {
    this.cleanupInterval = cleanupInterval;
  }

  /**
   * Whether every login is exclusive: a user logged in in one session cannot log in in another
   * while the first lives ({@code ExclusiveLoginException}, to be answered with 409). Default
   * {@code false}.
   *
   * @return whether logins are exclusive
   */
  public boolean isExclusiveLogin() {
    return exclusiveLogin;
  }

  /**
   * Sets whether every login is exclusive.
   *
   * @param exclusiveLogin whether logins are exclusive
   */
  public void setExclusiveLogin(boolean exclusiveLogin) {
    this.exclusiveLogin = exclusiveLogin;
  }

  /**
   * Which attributes a save writes (default {@code on-set-attribute}: those the request set or
   * removed).
   *
   * @return the save mode
   */
  public SaveMode getSaveMode() {
    return saveMode;
  }

  /**
   * Sets the save mode.
   *
   * @param saveMode the save mode
   */
  public void setSaveMode(SaveMode saveMode) {
    this.saveMode = saveMode;
  }

  /**
   * Whether the store's events are published as Spring Session's session events (default {@code
   * true}).
   *
   * @return whether events are published
   */
  public boolean isPublishEvents() {
    return publishEvents;
  }

  /**
   * Sets whether events are published.
   *
   * @param publishEvents whether events are published
   */
  public void setPublishEvents(boolean publishEvents) {
    this.publishEvents = publishEvents;
  }
}
