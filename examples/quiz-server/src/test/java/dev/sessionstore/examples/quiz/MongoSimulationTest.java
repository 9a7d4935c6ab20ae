package dev.sessionstore.examples.quiz;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulation on the MongoDB store, against the embedded MongoDB-protocol server
 * (mongo-java-server, in memory): the same invariants as on the memory store.
 */
class MongoSimulationTest {

  private static EmbeddedMongo mongo;
  private static String uri;

  @BeforeAll
  static void startMongo() {
    mongo = EmbeddedMongo.startOrSkip("sessions");
    uri = mongo.uri;
  }

  @AfterAll
  static void stopMongo() {
    if (mongo != null) {
      mongo.close();
    }
  }

  @Test
  void twoHundredCandidatesOnMongoDbLoseNothingAndAreEvaluatedOnce() {
    // The embedded server scans its whole collection for every conditional write and every
    // findByPrincipal, so the candidates get a longer quiz, the server ticks every five seconds,
    // and the
    // store waits longer for its answers than its 5 s default.
    SimulationReport report =
        SimulationTest.simulate(uri + "&timeout=PT15S", 200, 45, "--tick-ms", "5000");

    SimulationTest.assertInvariants(report, 200);
  }
}
