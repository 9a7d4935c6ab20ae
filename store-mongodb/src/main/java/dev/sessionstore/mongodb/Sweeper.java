package dev.sessionstore.mongodb;

import dev.sessionstore.Session;
import dev.sessionstore.SessionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Expired sessions and old tombstones: announces each expired session once ({@code EXPIRED}, R4.5)
 * and removes what {@code cleanup} removes (R3.4), on the store's {@code SCHEDULER} option.
 *
 * <p>Of several instances, the one whose conditional update marks an expired session as swept emits
 * its event. The sweep runs every {@code sweepInterval} while someone subscribes to events, and
 * inside every cleanup. A document that cannot be decoded is skipped, logged and counted (R8.4).
 * MongoDB's TTL indexes remove what the store leaves, {@code ttlGrace} after expiry. Thread-safe.
 */
final class Sweeper {

  private static final System.Logger LOG = System.getLogger(MongoSessionStore.class.getName());
  private static final int SWEEP_BATCH = 1000;

  private final StoreContext ctx;
  private final Function<Mono<Long>, Mono<Long>> eachWithinTimeout;
  private final Disposable.Composite schedules = Disposables.composite();

  /** One cleanup at a time per instance: an explicit one waits for a scheduled one in flight. */
  private final PerIdQueue lane = new PerIdQueue();

  Sweeper(StoreContext ctx) {
    this.ctx = ctx;
    Duration timeout = ctx.settings.timeout();
    this.eachWithinTimeout = mono -> mono.timeout(timeout);
  }

  /** Starts the periodic cleanup and sweep on the configured scheduler. */
  void start() {
    MongoSettings s = ctx.settings;
    schedules.add(every(s.cleanupInterval(), this::cleanup, "session cleanup"));
    Duration sweep = s.sweepInterval();
    if (sweep != null && !sweep.isZero() && !sweep.isNegative()) {
      schedules.add(
          every(
              sweep,
              () -> ctx.events.hasSubscribers() ? sweep(ctx.now()).count() : Mono.just(0L),
              "expired-session sweep"));
    }
  }

  void stop() {
    schedules.dispose();
  }

  private Disposable every(
      Duration period, java.util.function.Supplier<Mono<Long>> work, String what) {
    return Flux.interval(period, period, ctx.settings.scheduler())
        .onBackpressureDrop()
        .concatMap(
            tick ->
                Mono.defer(work)
                    .onErrorResume(
                        e -> {
                          LOG.log(System.Logger.Level.WARNING, what + " failed; will retry", e);
                          return Mono.empty();
                        }),
            0)
        .subscribe();
  }

  /**
   * Removes tombstones past the grace and expired sessions (announcing those nobody announced) and
   * gives up their claims; returns how many documents it removed.
   */
  Mono<Long> cleanup() {
    return lane.run("cleanup", this::cleanupOnce);
  }

  private Mono<Long> cleanupOnce() {
    return Mono.defer(
        () -> {
          Instant now = ctx.now();
          Mono<Long> tombstones =
              eachWithinTimeout.apply(
                  ctx.sessions.deleteTombstones(now.minus(ctx.settings.tombstoneGrace())));
          Mono<Long> expired =
              ctx.decodeAll(ctx.sessions.findExpired(now, false, Integer.MAX_VALUE))
                  .filter(s -> s.isExpired(now))
                  .flatMap(
                      s ->
                          eachWithinTimeout.apply(
                              announce(s, now)
                                  .then(release(s.live()))
                                  .then(ctx.sessions.deleteSwept(s.id(), now))
                                  .map(deleted -> deleted ? 1L : 0L)),
                      8)
                  .reduce(0L, Long::sum);
          return tombstones.zipWith(expired, Long::sum);
        });
  }

  /** Announces expired sessions that nobody announced yet. */
  Flux<StoredSession> sweep(Instant now) {
    return ctx.decodeAll(ctx.sessions.findExpired(now, true, SWEEP_BATCH))
        .filter(s -> s.isExpired(now))
        .flatMap(s -> announce(s, now).thenReturn(s), 8);
  }

  /** Marks an expired session as swept; the one instance whose mark lands emits EXPIRED. */
  private Mono<Void> announce(StoredSession stored, Instant now) {
    if (stored.swept()) {
      return Mono.empty();
    }
    return ctx.sessions
        .markSwept(stored, now)
        .doOnNext(
            marked -> {
              if (marked) {
                ctx.publish(SessionEvent.Type.EXPIRED, stored.live());
              }
            })
        .then();
  }

  private Mono<Void> release(Session session) {
    String principal = session.principal();
    return principal != null && session.exclusive()
        ? ctx.claims.release(principal, session.id())
        : Mono.empty();
  }
}
