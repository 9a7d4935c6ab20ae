package dev.sessionstore.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionIdGenerator;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.spi.SessionPolicy;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Measures the heap a memory-store session costs beyond its payload, at 100,000 and 1,000,000
 * sessions (or the counts given as arguments), next to two references built from the same payload
 * objects: bare {@link Session} values in an array (the irreducible cost of a session and its id)
 * and raw Caffeine holding those values.
 *
 * <p>Method: force GC and read the used heap (MemoryMXBean) before and after each step. The
 * payloads ({@link SessionData}, one distinct instance per session) are built first and retained
 * throughout, so their size is measured once and excluded; every store session is created from its
 * payload object with {@code SessionDraft.of(payload)}. Run with a heap large enough for a million
 * sessions (run.sh uses {@code -Xms4g -Xmx4g}). Prints a summary and writes {@code key=value} lines
 * to the file named by the second argument, for {@link Report}.
 */
public final class MemoryHeapPerSession {

  private MemoryHeapPerSession() {}

  /**
   * Runs the measurement.
   *
   * @param args optional: comma-separated session counts (default {@code 100000,1000000}) and an
   *     output properties file
   * @throws Exception if the output cannot be written
   */
  public static void main(String[] args) throws Exception {
    String counts = args.length > 0 ? args[0] : "100000,1000000";
    Results out = new Results(args.length > 1 ? args[1] : null);
    for (String count : counts.split(",")) {
      measure(Integer.parseInt(count.strip()), out);
    }
    out.write();
  }

  private static void measure(int n, Results out) {
    System.out.printf(Locale.ROOT, "%n== memory store heap, %,d sessions ==%n", n);
    long base = Heap.usedAfterGc();
    SessionData[] payloads = new SessionData[n];
    for (int i = 0; i < n; i++) {
      payloads[i] = Payloads.small(i);
    }
    long afterPayloads = Heap.usedAfterGc();
    double payloadBytes = (afterPayloads - base) / (double) n;

    // Reference 1: the session values alone (id string, instants, the Session object) in an array.
    SessionIdGenerator ids = SessionIdGenerator.secureRandom();
    Instant now = Instant.now();
    Session[] values = new Session[n];
    for (int i = 0; i < n; i++) {
      values[i] =
          SessionPolicy.newSession(
              SessionDraft.of(payloads[i]), ids.generate(), now, Duration.ofMinutes(30));
    }
    long afterValues = Heap.usedAfterGc();
    double valueBytes = (afterValues - afterPayloads) / (double) n;

    // Reference 2: raw Caffeine mapping id -> those same values.
    Cache<String, Session> caffeine = Caffeine.newBuilder().build();
    for (Session s : values) {
      caffeine.put(s.id(), s);
    }
    long afterCaffeine = Heap.usedAfterGc();
    double caffeineBytes = (afterCaffeine - afterPayloads) / (double) n;
    Reference.reachabilityFence(values);
    Reference.reachabilityFence(caffeine);
    values = null;
    caffeine = null;
    long beforeStore = Heap.usedAfterGc();

    // Above the default limit of 100,000 sessions.
    SessionStore store = SessionStores.open("memory:?maxSessions=" + (n + 1));
    String firstId = null;
    for (int i = 0; i < n; i++) {
      Session s = store.create(SessionDraft.of(payloads[i])).block();
      if (i == 0) {
        firstId = s.id();
      }
    }
    long afterStore = Heap.usedAfterGc();
    double storeBytes = (afterStore - beforeStore) / (double) n;
    Session first = store.get(firstId).block();
    boolean sharesPayload = first != null && first.data() == payloads[0];
    long stored = store.count().block();
    Reference.reachabilityFence(payloads);
    store.close();

    System.out.printf(
        Locale.ROOT, "payload (SessionData) per session:        %7.1f bytes%n", payloadBytes);
    System.out.printf(
        Locale.ROOT, "Session value + id, in an array:         %7.1f bytes%n", valueBytes);
    System.out.printf(
        Locale.ROOT, "raw Caffeine id -> Session:              %7.1f bytes%n", caffeineBytes);
    System.out.printf(
        Locale.ROOT,
        "memory store, beyond payload:            %7.1f bytes  (count()=%d, "
            + "store keeps the caller's SessionData instance: %s)%n",
        storeBytes,
        stored,
        sharesPayload);
    System.out.printf(
        Locale.ROOT,
        "store overhead over raw Caffeine:        %7.1f bytes%n",
        storeBytes - caffeineBytes);
    String k = "heap." + n + ".";
    out.put(k + "payload", payloadBytes);
    out.put(k + "value", valueBytes);
    out.put(k + "caffeine", caffeineBytes);
    out.put(k + "store", storeBytes);
    out.put(k + "sharesPayload", String.valueOf(sharesPayload));
  }
}
