package dev.sessionstore.examples.quiz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a simulation counted and which invariants failed. Counters are thread-safe; {@link
 * #format()} is meant for after the run.
 */
final class SimulationReport {

  final int candidates;
  final LongAdder requests = new LongAdder();
  final LongAdder transportErrors = new LongAdder();
  final LongAdder answersSent = new LongAdder();
  final LongAdder answersAccepted = new LongAdder();
  final LongAdder answersPersisted = new LongAdder();
  final LongAdder duplicateTabAnswersAccepted = new LongAdder();
  final LongAdder lateAnswersSent = new LongAdder();
  final LongAdder lateAnswersRejected = new LongAdder();
  final LongAdder answersAfterSubmitSent = new LongAdder();
  final LongAdder answersAfterSubmitRejected = new LongAdder();
  final LongAdder secondLoginsTried = new LongAdder();
  final LongAdder secondLoginsRefused = new LongAdder();
  final LongAdder secondBrowserStartsTried = new LongAdder();
  final LongAdder secondBrowserStartsRefused = new LongAdder();
  final LongAdder loginsAfterQuizAccepted = new LongAdder();
  final LongAdder probesAfterDeadline = new LongAdder();
  final LongAdder quizzesStarted = new LongAdder();
  final LongAdder submittedEarly = new LongAdder();
  final LongAdder submitRacesWon = new LongAdder();
  final LongAdder submitRacesLost = new LongAdder();
  final LongAdder doubleSubmitsRefused = new LongAdder();
  final LongAdder evaluatedOnSubmit = new LongAdder();
  final LongAdder evaluatedOnDeadline = new LongAdder();
  final LongAdder attemptsWithOneResult = new LongAdder();
  final LongAdder ticksInResults = new LongAdder();
  final LongAdder ticksApplied = new LongAdder();
  final ConcurrentLinkedQueue<Long> latencyNanos = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Long> answerLatencyNanos = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  volatile String target = "";
  volatile double quizSeconds;
  volatile long elapsedMillis;
  volatile Map<String, Object> serverStats = Map.of();

  SimulationReport(int candidates) {
    this.candidates = candidates;
  }

  void fail(String message) {
    failures.add(message);
  }

  /** Checks the run's totals; per-candidate checks were recorded as they ran. */
  void checkTotals() {
    check(transportErrors.sum() == 0, transportErrors.sum() + " requests failed in transport");
    check(
        quizzesStarted.sum() == candidates,
        "quizzes started " + quizzesStarted.sum() + " != candidates " + candidates);
    check(
        answersAccepted.sum() == answersPersisted.sum(),
        "answers accepted "
            + answersAccepted.sum()
            + " != answers in the evaluated results "
            + answersPersisted.sum());
    check(
        lateAnswersRejected.sum() == lateAnswersSent.sum(),
        "late answers accepted: " + (lateAnswersSent.sum() - lateAnswersRejected.sum()));
    check(
        answersAfterSubmitRejected.sum() == answersAfterSubmitSent.sum(),
        "answers after submit accepted: "
            + (answersAfterSubmitSent.sum() - answersAfterSubmitRejected.sum()));
    check(
        secondLoginsRefused.sum() == secondLoginsTried.sum(),
        "second-browser logins let in: " + (secondLoginsTried.sum() - secondLoginsRefused.sum()));
    check(
        secondBrowserStartsRefused.sum() == secondBrowserStartsTried.sum(),
        "second-browser quiz starts let in: "
            + (secondBrowserStartsTried.sum() - secondBrowserStartsRefused.sum()));
    check(
        attemptsWithOneResult.sum() == candidates,
        "attempts with exactly one result "
            + attemptsWithOneResult.sum()
            + " != candidates "
            + candidates);
    check(
        evaluatedOnSubmit.sum() + evaluatedOnDeadline.sum() == candidates,
        "evaluations "
            + (evaluatedOnSubmit.sum() + evaluatedOnDeadline.sum())
            + " != candidates "
            + candidates);
    check(
        ticksInResults.sum() == ticksApplied.sum(),
        "tick writes lost: " + (ticksApplied.sum() - ticksInResults.sum()));
    check(
        loginsAfterQuizAccepted.sum() == candidates,
        "logins after the quiz accepted "
            + loginsAfterQuizAccepted.sum()
            + " != candidates "
            + candidates);
    Object duplicates = serverStats.get("duplicateEvaluationsRejected");
    check(
        duplicates == null || Long.valueOf(0).equals(duplicates),
        "the server rejected " + duplicates + " duplicate evaluations");
    Object failed = serverStats.get("evaluationFailures");
    check(
        failed == null || Long.valueOf(0).equals(failed),
        "the server failed " + failed + " evaluations");
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      fail(message);
    }
  }

  /**
   * @return whether every invariant held
   */
  boolean ok() {
    return failures.isEmpty();
  }

  /**
   * @return the report, for people
   */
  String format() {
    StringBuilder out = new StringBuilder();
    line(
        out,
        "Quiz simulation",
        candidates
            + " candidates against "
            + target
            + ", quizzes of "
            + quizSeconds
            + " s, "
            + String.format(Locale.ROOT, "%.1f s", elapsedMillis / 1000.0));
    line(out, "requests", requests.sum() + " (transport errors " + transportErrors.sum() + ")");
    line(out, "latency all requests", percentiles(latencyNanos));
    line(out, "latency answers", percentiles(answerLatencyNanos));
    line(
        out,
        "answers sent",
        answersSent.sum() + " (in time and late, from two tabs per candidate)");
    line(
        out,
        "answers accepted",
        answersAccepted.sum()
            + " (of which from the duplicate tab "
            + duplicateTabAnswersAccepted.sum()
            + ")");
    line(
        out,
        "answers persisted",
        answersPersisted.sum()
            + " (in the evaluated results)"
            + mark(answersAccepted.sum() == answersPersisted.sum()));
    line(
        out,
        "late answers refused",
        lateAnswersRejected.sum()
            + " / "
            + lateAnswersSent.sum()
            + mark(lateAnswersRejected.sum() == lateAnswersSent.sum()));
    line(
        out,
        "answers after submit refused",
        answersAfterSubmitRejected.sum()
            + " / "
            + answersAfterSubmitSent.sum()
            + mark(answersAfterSubmitRejected.sum() == answersAfterSubmitSent.sum()));
    line(
        out,
        "second-browser logins refused",
        secondLoginsRefused.sum()
            + " / "
            + secondLoginsTried.sum()
            + mark(secondLoginsRefused.sum() == secondLoginsTried.sum()));
    line(
        out,
        "second-browser starts refused",
        secondBrowserStartsRefused.sum()
            + " / "
            + secondBrowserStartsTried.sum()
            + mark(secondBrowserStartsRefused.sum() == secondBrowserStartsTried.sum())
            + (probesAfterDeadline.sum() == 0
                ? ""
                : " ("
                    + probesAfterDeadline.sum()
                    + " probes served after the deadline, not counted)"));
    line(
        out,
        "logins after the quiz",
        loginsAfterQuizAccepted.sum()
            + " / "
            + candidates
            + mark(loginsAfterQuizAccepted.sum() == candidates));
    line(
        out,
        "quizzes",
        quizzesStarted.sum()
            + " started; "
            + submittedEarly.sum()
            + " submitted early; submits at the deadline: "
            + submitRacesWon.sum()
            + " in time, "
            + submitRacesLost.sum()
            + " too late; double submits refused "
            + doubleSubmitsRefused.sum());
    line(
        out,
        "evaluations",
        evaluatedOnSubmit.sum()
            + " on submit + "
            + evaluatedOnDeadline.sum()
            + " on the deadline (EXPIRED event) = "
            + (evaluatedOnSubmit.sum() + evaluatedOnDeadline.sum())
            + "; attempts with exactly one result "
            + attemptsWithOneResult.sum()
            + mark(attemptsWithOneResult.sum() == candidates));
    line(
        out,
        "server ticks",
        ticksApplied.sum()
            + " tick writes applied, "
            + ticksInResults.sum()
            + " in the results"
            + mark(ticksApplied.sum() == ticksInResults.sum()));
    if (!serverStats.isEmpty()) {
      line(out, "server stats", Json.write(serverStats));
    }
    if (failures.isEmpty()) {
      out.append("RESULT: OK, every invariant held\n");
    } else {
      out.append("RESULT: FAILED, ").append(failures.size()).append(" problem(s):\n");
      failures.stream().limit(30).forEach(f -> out.append("  - ").append(f).append('\n'));
    }
    return out.toString();
  }

  private static String mark(boolean ok) {
    return ok ? "  ok" : "  MISMATCH";
  }

  private static void line(StringBuilder out, String name, String value) {
    out.append(String.format(Locale.ROOT, "%-30s %s%n", name + ":", value));
  }

  static String percentiles(ConcurrentLinkedQueue<Long> nanos) {
    List<Long> copy = new ArrayList<>(nanos);
    if (copy.isEmpty()) {
      return "n/a";
    }
    long[] sorted = copy.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return String.format(
        Locale.ROOT,
        "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
        percentile(sorted, 50) / 1e6,
        percentile(sorted, 99) / 1e6,
        sorted[sorted.length - 1] / 1e6,
        sorted.length);
  }

  static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
