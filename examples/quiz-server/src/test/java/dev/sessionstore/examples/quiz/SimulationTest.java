package dev.sessionstore.examples.quiz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulation against an in-process server on the memory store: its invariants hold. */
class SimulationTest {

  static SimulationReport simulate(
      String store, int candidates, double quizSeconds, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--simulate",
                Integer.toString(candidates),
                "--store",
                store,
                "--quiz-seconds",
                Double.toString(quizSeconds)));
    args.addAll(List.of(more));
    Options options = Options.parse(args.toArray(String[]::new));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SimulationReport report =
        Simulation.run(options, new PrintStream(log, true, StandardCharsets.UTF_8));
    System.out.println(log.toString(StandardCharsets.UTF_8));
    System.out.println(report.format());
    return report;
  }

  static void assertInvariants(SimulationReport report, int candidates) {
    assertThat(report.failures).as(report.format()).isEmpty();
    assertThat(report.ok()).isTrue();
    assertThat(report.quizzesStarted.sum()).isEqualTo(candidates);
    assertThat(report.answersAccepted.sum()).isPositive().isEqualTo(report.answersPersisted.sum());
    assertThat(report.duplicateTabAnswersAccepted.sum()).isPositive();
    assertThat(report.lateAnswersSent.sum())
        .isPositive()
        .isEqualTo(report.lateAnswersRejected.sum());
    // Probes answered after the deadline (a slow machine) prove nothing and are not counted.
    assertThat(
            report.secondLoginsTried.sum()
                + report.secondBrowserStartsTried.sum()
                + report.probesAfterDeadline.sum())
        .isEqualTo(candidates + candidates / 2);
    assertThat(report.secondLoginsTried.sum())
        .isGreaterThan(candidates / 2)
        .isEqualTo(report.secondLoginsRefused.sum());
    assertThat(report.secondBrowserStartsTried.sum())
        .isPositive()
        .isEqualTo(report.secondBrowserStartsRefused.sum());
    assertThat(report.evaluatedOnSubmit.sum()).isPositive();
    assertThat(report.evaluatedOnDeadline.sum()).isPositive();
    assertThat(report.evaluatedOnSubmit.sum() + report.evaluatedOnDeadline.sum())
        .isEqualTo(candidates);
    assertThat(report.attemptsWithOneResult.sum()).isEqualTo(candidates);
    assertThat(report.ticksApplied.sum()).isPositive().isEqualTo(report.ticksInResults.sum());
    assertThat(report.serverStats)
        .containsEntry("duplicateEvaluationsRejected", 0L)
        .containsEntry("evaluationFailures", 0L)
        .containsEntry("evaluatedOnDeadline", report.evaluatedOnDeadline.sum());
  }

  @Test
  void twoHundredCandidatesOnTheMemoryStoreLoseNothingAndAreEvaluatedOnce() {
    SimulationReport report = simulate("memory:", 200, 10);

    assertInvariants(report, 200);
  }

  @Test
  void theReportFailsWhenAnInvariantBreaks() {
    SimulationReport report = new SimulationReport(1);
    report.quizzesStarted.increment();
    report.answersAccepted.add(3);
    report.answersPersisted.add(2);
    report.attemptsWithOneResult.increment();
    report.evaluatedOnSubmit.increment();
    report.loginsAfterQuizAccepted.increment();

    report.checkTotals();

    assertThat(report.ok()).isFalse();
    assertThat(report.format())
        .contains("RESULT: FAILED")
        .contains("answers accepted 3 != answers in the evaluated results 2");
  }
}
