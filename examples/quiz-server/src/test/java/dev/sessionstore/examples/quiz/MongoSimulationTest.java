package dev.sessionstore.examples.quiz;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulation on the MongoDB store, against the embedded MongoDB-protocol server
 * (mongo-java-server, in memory): the same invariants as on the memory store.
 */
class MongoSimulationTest {

  private static MongoServer mongo;
  private static String uri;

  @BeforeAll
  static void startMongo() {
    mongo = new MongoServer(new MemoryBackend());
    InetSocketAddress address = mongo.bind();
    uri = "mongodb://127.0.0.1:" + address.getPort() + "/quiz?collection=sessions";
    // Skip, naming why, if the MongoDB store cannot work against the embedded server here.
    try (SessionStore store = SessionStores.open(uri)) {
      store.count().block(java.time.Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      Assumptions.abort("the MongoDB store does not open on the embedded server: " + e);
    }
  }

  @AfterAll
  static void stopMongo() {
    if (mongo != null) {
      mongo.shutdownNow();
    }
  }

  @Test
  void thirtyCandidatesOnMongoDbLoseNothingAndAreEvaluatedOnce() throws IOException {
    SimulationReport report = SimulationTest.simulate(uri, 30, 3);

    SimulationTest.assertInvariants(report, 30);
  }
}
