package dev.sessionstore.bench;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.session.MapSession;
import org.springframework.session.ReactiveMapSessionRepository;

/**
 * A request's round trip with the ~1 KiB payload ({@link Payloads#kib}): store the session with its
 * attributes, then read it back and one attribute from it. Our memory store next to Spring
 * Session's {@link ReactiveMapSessionRepository}, each through its own API and completed with
 * {@code block()}:
 *
 * <ul>
 *   <li>ours: {@code SessionData.of(payload)} (validating, normalising copy), {@code withData} on
 *       the session the request holds, {@code save}, then {@code get} and {@code attribute};
 *   <li>Spring's: a new {@link MapSession} under the same id, {@code setAttribute} for each
 *       attribute (no copy, no checks), {@code save} (a shallow copy of the attribute map), then
 *       {@code findById} (another shallow copy) and {@code getAttribute}.
 * </ul>
 *
 * <p>Both hold the same 10,000 ids, so the maps do not grow. The class is instantiated and driven
 * by JMH only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class SaveGetBenchmark {

  SessionStore store;
  ReactiveMapSessionRepository spring;
  Session[] sessions;
  String[] ids;
  Map<String, Object> payload;
  SessionData normalised;

  /** Opens the store and the repository, each with the same ids. */
  @Setup(Level.Trial)
  public void setUp() {
    store = SessionStores.open("memory:");
    spring = new ReactiveMapSessionRepository(new ConcurrentHashMap<>());
    payload = Payloads.kib(42);
    normalised = SessionData.of(payload);
    sessions = new Session[MemoryStoreBenchmark.SESSIONS];
    ids = new String[MemoryStoreBenchmark.SESSIONS];
    for (int i = 0; i < MemoryStoreBenchmark.SESSIONS; i++) {
      sessions[i] = store.create(SessionDraft.empty()).block();
      ids[i] = sessions[i].id();
      spring.save(new MapSession(ids[i])).block();
    }
  }

  /** Closes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  /**
   * @return the attribute read back; save then get through the memory store
   */
  @Benchmark
  public Object store_saveThenGet(MemoryStoreBenchmark.Cursor c) {
    int i = c.next();
    store.save(sessions[i].withData(SessionData.of(payload))).block();
    return store.get(ids[i]).block().attribute("user");
  }

  /**
   * The store's share of {@link #store_saveThenGet}: the same save and get of the same payload,
   * normalised once beforehand, as when a request stores data it read from the session. The
   * difference to {@code store_saveThenGet} is the cost of {@code SessionData.of}.
   *
   * @return the attribute read back; save then get through the memory store, data prebuilt
   */
  @Benchmark
  public Object store_saveThenGet_dataPrebuilt(MemoryStoreBenchmark.Cursor c) {
    int i = c.next();
    store.save(sessions[i].withData(normalised)).block();
    return store.get(ids[i]).block().attribute("user");
  }

  /**
   * @return the attribute read back; save then findById through Spring's map repository
   */
  @Benchmark
  public Object spring_saveThenFindById(MemoryStoreBenchmark.Cursor c) {
    int i = c.next();
    MapSession session = new MapSession(ids[i]);
    for (Map.Entry<String, Object> attribute : payload.entrySet()) {
      session.setAttribute(attribute.getKey(), attribute.getValue());
    }
    spring.save(session).block();
    return spring.findById(ids[i]).block().getAttribute("user");
  }
}
