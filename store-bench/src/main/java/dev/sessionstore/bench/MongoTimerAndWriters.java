package dev.sessionstore.bench;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.sessionstore.SessionStores;
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
      TimerAndWriters.compare(
          answers,
          "w2mongo.",
          "MongoDB store",
          () -> mongoStore(mongo),
          "Spring ReactiveMongoSessionRepository",
          () -> springRepository(mongo),
          out);
    }
    out.write();
  }

  /**
   * @param mongo the server
   * @return W2 on a fresh session of the MongoDB store; {@code read} closes the store
   */
  static TimerAndWriters.Side mongoStore(EmbeddedMongo mongo) {
    return TimerAndWriters.storeSide(SessionStores.open(MongoStoreBenchmark.storeOptions(mongo)));
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
    return TimerAndWriters.springSide(repository, client::close);
  }
}
