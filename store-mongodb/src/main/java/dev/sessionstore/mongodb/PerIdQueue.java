package dev.sessionstore.mongodb;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Runs one write at a time per session id within this store instance, without parking any thread: a
 * write waits, asynchronously, for the previous write of the same id to finish.
 *
 * <p>Correctness never rests on it (every write is a conditional update that MongoDB checks); it
 * keeps writers of one instance from defeating each other's version checks, so optimistic retries
 * are only needed between instances. A cancelled write releases its successor at once. Thread-safe.
 */
final class PerIdQueue {

  private final ConcurrentHashMap<String, CompletableFuture<Void>> tails =
      new ConcurrentHashMap<>();

  /**
   * Runs work after the previous work queued for the same id.
   *
   * @param <T> the result type
   * @param id the session id
   * @param work the write
   * @return the write's result, once it ran
   */
  <T> Mono<T> run(String id, Supplier<Mono<T>> work) {
    return Mono.defer(
        () -> {
          CompletableFuture<Void> mine = new CompletableFuture<>();
          CompletableFuture<Void> previous = tails.put(id, mine);
          Mono<T> body =
              previous == null
                  ? Mono.defer(work)
                  : Mono.fromFuture(previous, true).then(Mono.defer(work));
          return body.doFinally(
              signal -> {
                tails.remove(id, mine);
                mine.complete(null);
              });
        });
  }

  /** For tests: how many ids have work queued or running. */
  int size() {
    return tails.size();
  }
}
