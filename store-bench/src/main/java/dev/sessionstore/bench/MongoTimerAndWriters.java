package dev.sessionstore.bench;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mongodb.spring.session.MongoSession;
import org.mongodb.spring.session.ReactiveMongoSessionRepository;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

/**
 * Workload W2 of {@link TimerAndWriters} (one timer ticking a counter, 8 writers appending their
 * answers, all on one session) on the MongoDB store and on Spring Session's {@link
 * ReactiveMongoSessionRepository}, both on one embedded mongo-java-server: each change is one
 * {@code update} on ours, and {@code findById}, change, {@code save} on Spring's (the way its API
 * is used). Reports how many updates each lost and how many it did per second. Run as a program;
 * writes {@code key=value} lines for {@link Report} to the file named by the second argument.
 */
public final class MongoTimerAndWriters {

  private MongoTimerAndWriters() {}

  /**
   * Runs the workload on both sides.
   *
   * @param args optional: answers per writer (default 125: 1,000 answers) and an output file
   * @throws Exception if a worker fails or the output cannot be written
   */
  public static void main(String[] args) throws Exception {
    int answers = args.length > 0 ? Integer.parseInt(args[0]) : 125;
    Results out = new Results(args.length > 1 ? args[1] : null);
    try (EmbeddedMongo mongo = new EmbeddedMongo()) {
      for (int round = 0; round < 2; round++) { // the first round warms both up
        TimerAndWriters.Outcome store = TimerAndWriters.run(mongoStore(mongo), answers);
        TimerAndWriters.Outcome spring = TimerAndWriters.run(springRepository(mongo), answers);
        if (round == 1) {
          print("MongoDB store", store);
          print("Spring ReactiveMongoSessionRepository", spring);
          put(out, "w2mongo.store.", store);
          put(out, "w2mongo.spring.", spring);
        }
      }
    }
    out.put("w2mongo.writers", String.valueOf(TimerAndWriters.WRITERS));
    out.put("w2mongo.answers", String.valueOf((long) TimerAndWriters.WRITERS * answers));
    out.write();
  }

  private static void print(String name, TimerAndWriters.Outcome o) {
    System.out.printf(
        Locale.ROOT,
        "W2 %-40s %,7d updates, %,6d lost, %,10.0f updates/s%n",
        name,
        o.updates(),
        o.lost(),
        o.perSecond());
  }

  private static void put(Results out, String prefix, TimerAndWriters.Outcome o) {
    out.put(prefix + "updates", String.valueOf(o.updates()));
    out.put(prefix + "lost", String.valueOf(o.lost()));
    out.put(prefix + "perSecond", o.perSecond());
  }

  private static List<Object> appended(Object old, String answer) {
    List<Object> answers = old == null ? new ArrayList<>() : new ArrayList<>((List<?>) old);
    answers.add(answer);
    return answers;
  }

  /**
   * @param mongo the server
   * @return W2 on a fresh session of the MongoDB store; {@code read} closes the store
   */
  static TimerAndWriters.Side mongoStore(EmbeddedMongo mongo) {
    SessionStore store = SessionStores.open(MongoStoreBenchmark.storeOptions(mongo));
    String id =
        store
            .create(
                SessionDraft.empty()
                    .withMaxIdle(Duration.ofHours(1))
                    .withData(SessionData.of(Map.of("ticks", 0L))))
            .block()
            .id();
    return new TimerAndWriters.Side() {
      @Override
      public void answer(String key, String answer) {
        store.update(id, s -> s.withAttribute(key, appended(s.attribute(key), answer))).block();
      }

      @Override
      public void tick() {
        store.update(id, s -> s.withAttribute("ticks", (Long) s.attribute("ticks") + 1)).block();
      }

      @Override
      public Map<String, Object> read() {
        Session s = store.get(id).block();
        store.close();
        return s.data().asMap();
      }
    };
  }

  /**
   * @param mongo the server
   * @return W2 on a fresh session of Spring's MongoDB repository; {@code read} closes its client
   */
  static TimerAndWriters.Side springRepository(EmbeddedMongo mongo) {
    MongoClient client = MongoClients.create(mongo.connectionString());
    ReactiveMongoSessionRepository repository =
        new ReactiveMongoSessionRepository(
            new ReactiveMongoTemplate(client, MongoStoreBenchmark.DATABASE));
    repository.setCollectionName("spring_w2");
    repository.afterPropertiesSet();
    MongoSession first = repository.createSession().block();
    first.setMaxInactiveInterval(Duration.ofHours(1));
    first.setAttribute("ticks", 0L);
    repository.save(first).block();
    String id = first.getId();
    return new TimerAndWriters.Side() {
      @Override
      public void answer(String key, String answer) {
        MongoSession s = repository.findById(id).block();
        s.setAttribute(key, appended(s.getAttribute(key), answer));
        repository.save(s).block();
      }

      @Override
      public void tick() {
        MongoSession s = repository.findById(id).block();
        s.setAttribute("ticks", (Long) s.getAttribute("ticks") + 1);
        repository.save(s).block();
      }

      @Override
      public Map<String, Object> read() {
        MongoSession s = repository.findById(id).block();
        Map<String, Object> attributes = new HashMap<>();
        for (String name : s.getAttributeNames()) {
          attributes.put(name, s.getAttribute(name));
        }
        client.close();
        return attributes;
      }
    };
  }
}
