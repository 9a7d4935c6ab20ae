package dev.sessionstore.bench;

import com.mongodb.client.model.Projections;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bson.Document;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Shows that {@code all()} and {@code count()} of the MongoDB store run in bounded memory over
 * 100,000 sessions (or the count given as argument): {@code all()} is consumed by a deliberately
 * slow subscriber that requests in small batches ({@code limitRate}); the retained heap is sampled
 * after forced collections every few thousand sessions and the peak growth over the starting point
 * is reported. References from the same run: the raw driver streaming the same collection the same
 * way (the embedded server lives in this JVM, so its cursor's memory shows in both), and {@code
 * all().collectList()}, which holds every session at once.
 *
 * <p>Prints a summary and writes {@code key=value} lines for {@link Report}. Run as a program.
 */
public final class MongoScale {

  private static final int SAMPLE_EVERY = 10_000;
  private static final int RATE = 64;

  private MongoScale() {}

  /**
   * Runs the measurement.
   *
   * @param args optional: the session count (default 100000) and an output properties file
   * @throws Exception if the output cannot be written
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Results out = new Results(args.length > 1 ? args[1] : null);
    out.put("sessions", String.format(Locale.ROOT, "%,d", n));
    Scheduler consumer = Schedulers.newSingle("slow-consumer");
    try (EmbeddedMongo mongo = new EmbeddedMongo();
        SessionStore store =
            SessionStores.open(
                // count() and all() read the whole collection; on the embedded server that is a
                // scan of every document, which takes longer than the 5 s default per operation.
                MongoStoreBenchmark.storeOptions(mongo)
                    .with(StoreOptions.TIMEOUT, Duration.ofMinutes(5)));
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      System.out.printf(
          Locale.ROOT, "%n== MongoDB store, all() and count() over %,d sessions ==%n", n);
      long start = System.nanoTime();
      Flux.range(0, n)
          .flatMap(i -> store.create(SessionDraft.of(Payloads.small(i))), 32)
          .then()
          .block();
      System.out.printf(Locale.ROOT, "created %,d sessions in %d ms%n", n, millisSince(start));
      MongoCollection<Document> collection = MongoStoreBenchmark.sessionCollection(client);

      measure(out, "count", "store count()", () -> store.count().block());
      measure(
          out,
          "all",
          "store all(), limitRate(" + RATE + "), slow consumer",
          () -> stream(Flux.from(store.all()), consumer));
      measure(
          out,
          "driver",
          "driver find(), limitRate(" + RATE + "), slow consumer (reference)",
          () -> stream(Flux.from(collection.find()), consumer));
      // The store's all() filters on liveness and projects the session fields. The embedded server
      // (in this JVM, so in the heap measured) builds the projected copy of every match when the
      // query starts and holds it in its cursor, so the like-for-like reference sends the same
      // filter and projection.
      Date now = new Date();
      measure(
          out,
          "driverLive",
          "driver find(the store's filter and projection), limitRate("
              + RATE
              + "), slow consumer (reference)",
          () ->
              stream(
                  Flux.from(
                      collection
                          .find(MongoStoreBenchmark.live(now))
                          .projection(
                              Projections.include(
                                  "v", "d", "p", "x", "c", "a", "mi", "dl", "ie", "r"))),
                  consumer));
      measure(
          out,
          "collect",
          "store all().collectList() (reference: everything at once)",
          () -> {
            List<Session> all = store.all().collectList().block();
            long retained = Heap.usedAfterGc();
            Peak.observe(retained);
            return (long) all.size();
          });
    } finally {
      consumer.dispose();
    }
    out.write();
  }

  /** The peak retained heap seen during one measurement. */
  private static final class Peak {
    static final AtomicLong MAX = new AtomicLong();

    static void observe(long used) {
      MAX.accumulateAndGet(used, Math::max);
    }
  }

  private interface Action {
    Long run();
  }

  private static void measure(Results out, String key, String label, Action action) {
    long base = Heap.usedAfterGc();
    Peak.MAX.set(base);
    long start = System.nanoTime();
    Long result = action.run();
    long millis = millisSince(start);
    Peak.observe(Heap.usedAfterGc());
    long growth = Peak.MAX.get() - base;
    System.out.printf(
        Locale.ROOT,
        "%-70s result %,d in %,d ms; peak retained heap growth %s%n",
        label,
        result,
        millis,
        Heap.mib(growth));
    out.put(key + ".label", label);
    out.put(key + ".result", String.format(Locale.ROOT, "%,d", result));
    out.put(key + ".millis", String.format(Locale.ROOT, "%,d", millis));
    out.put(key + ".peak", Heap.mib(growth));
  }

  /** Consumes slowly on one thread, requesting {@link #RATE} at a time, sampling the heap. */
  private static <T> Long stream(Flux<T> source, Scheduler consumer) {
    AtomicLong seen = new AtomicLong();
    source
        .limitRate(RATE)
        .publishOn(consumer, RATE)
        .doOnNext(
            item -> {
              long i = seen.incrementAndGet();
              LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(10));
              if (i % SAMPLE_EVERY == 0) {
                Peak.observe(Heap.usedAfterGc());
              }
            })
        .then()
        .block();
    return seen.get();
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
