package dev.sessionstore.mongodb;

import dev.sessionstore.Session;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.spi.SessionEventPublisher;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * What the store's parts share: the two collections, the checked settings, the clock, the event
 * publisher and the count of undecodable documents. Thread-safe.
 */
final class StoreContext {

  private static final System.Logger LOG = System.getLogger(MongoSessionStore.class.getName());

  final SessionCollection sessions;
  final ExclusiveClaims claims;
  final MongoSettings settings;
  final SessionIdGenerator ids;
  final SessionEventPublisher events;
  private final InstantSource clock;
  private final AtomicLong undecodable = new AtomicLong();

  StoreContext(SessionCollection sessions, ExclusiveClaims claims, MongoSettings settings) {
    this.sessions = sessions;
    this.claims = claims;
    this.settings = settings;
    this.ids = settings.ids();
    this.clock = settings.clock();
    this.events = new SessionEventPublisher(settings.eventBuffer());
  }

  /** The store clock's time, at the millisecond precision MongoDB dates have. */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  @Nullable Duration defaultMaxIdle() {
    return settings.maxIdle();
  }

  void publish(SessionEvent.Type type, Session session) {
    if (events.hasSubscribers()) {
      events.publish(new SessionEvent(type, session.id(), session, clock.instant()));
    }
  }

  /**
   * Decodes the documents of a scan, skipping (logging with the id redacted, and counting) those
   * that do not follow the schema, so that one bad document never breaks a scan (R8.4).
   */
  Flux<StoredSession> decodeAll(Flux<BsonDocument> documents) {
    return documents.concatMapIterable(doc -> decodeOrSkip(doc).stream().toList());
  }

  Optional<StoredSession> decodeOrSkip(BsonDocument doc) {
    try {
      return Optional.of(SessionDocuments.decode(doc));
    } catch (RuntimeException e) {
      undecodable.incrementAndGet();
      BsonString id = doc.isString("_id") ? doc.getString("_id") : new BsonString("?");
      LOG.log(
          System.Logger.Level.WARNING,
          "skipped stored session {0}: {1}",
          Session.redact(id.getValue()),
          e.getMessage());
      return Optional.empty();
    }
  }

  /** How many stored documents scans skipped because they could not be decoded. */
  long undecodable() {
    return undecodable.get();
  }
}
