package dev.sessionstore.tck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The outcome of a kit run, test by test and rule by rule. */
final class KitReport {

  /** Every rule of SPEC.md, in its order. */
  static final List<String> RULES =
      List.of(
          "R1.1", "R1.2", "R1.3", "R1.4", "R2.1", "R2.2", "R2.3", "R2.4", "R2.5", "R2.6", "R2.7",
          "R3.1", "R3.2", "R3.3", "R3.4", "R4.1", "R4.2", "R4.3", "R4.4", "R4.5", "R5.1", "R5.2",
          "R5.3", "R6.1", "R6.2", "R6.3", "R7.1", "R8.1", "R8.2", "R8.3", "R8.4", "R9.1", "R9.2");

  enum Status {
    PASS,
    FAIL,
    SKIPPED
  }

  record TestResult(String displayName, Status status, String reason) {}

  record RuleResult(String rule, Status status, String reason, int tests) {}

  private final List<TestResult> tests;
  private final List<String> kitErrors;
  private final long nanos;

  KitReport(List<TestResult> tests, List<String> kitErrors, long nanos) {
    this.tests = List.copyOf(tests);
    this.kitErrors = List.copyOf(kitErrors);
    this.nanos = nanos;
  }

  List<TestResult> tests() {
    return tests;
  }

  /** Failures outside any test, such as a test class that could not be instantiated. */
  List<String> kitErrors() {
    return kitErrors;
  }

  long nanos() {
    return nanos;
  }

  /** The rule id a display name starts with, or null. */
  static @Nullable String ruleOf(String displayName) {
    for (String rule : RULES) {
      if (displayName.startsWith(rule + " ")) {
        return rule;
      }
    }
    return null;
  }

  /** The results of the given rules (all rules if empty), in SPEC order. */
  List<RuleResult> rules(Set<String> only) {
    Map<String, List<TestResult>> byRule = new LinkedHashMap<>();
    for (String rule : RULES) {
      if (only.isEmpty() || only.contains(rule)) {
        byRule.put(rule, new ArrayList<>());
      }
    }
    for (TestResult test : tests) {
      String rule = ruleOf(test.displayName());
      if (rule != null && byRule.containsKey(rule)) {
        byRule.get(rule).add(test);
      }
    }
    List<RuleResult> results = new ArrayList<>();
    byRule.forEach((rule, ruleTests) -> results.add(aggregate(rule, ruleTests)));
    return results;
  }

  private RuleResult aggregate(String rule, List<TestResult> ruleTests) {
    if (ruleTests.isEmpty()) {
      String why =
          kitErrors.isEmpty()
              ? "no test of the kit ran for this rule"
              : "not run: " + kitErrors.get(0);
      return new RuleResult(rule, Status.FAIL, why, 0);
    }
    List<TestResult> failed = ruleTests.stream().filter(t -> t.status() == Status.FAIL).toList();
    List<TestResult> skipped =
        ruleTests.stream().filter(t -> t.status() == Status.SKIPPED).toList();
    if (!failed.isEmpty()) {
      TestResult first = failed.get(0);
      String count = failed.size() + " of " + ruleTests.size() + " tests failed";
      return new RuleResult(
          rule,
          Status.FAIL,
          count
              + "; \""
              + first.displayName().substring(rule.length() + 1)
              + "\": "
              + first.reason(),
          ruleTests.size());
    }
    if (skipped.size() == ruleTests.size()) {
      return new RuleResult(rule, Status.SKIPPED, skipped.get(0).reason(), ruleTests.size());
    }
    String note =
        skipped.isEmpty()
            ? ""
            : " (" + skipped.size() + " skipped: " + skipped.get(0).reason() + ")";
    return new RuleResult(
        rule,
        Status.PASS,
        ruleTests.size() - skipped.size() + " of " + ruleTests.size() + " tests passed" + note,
        ruleTests.size());
  }

  /** One line of text from a failure: whitespace collapsed, cut at 400 characters. */
  static String reason(@Nullable Throwable error) {
    if (error == null) {
      return "";
    }
    String message = error.getMessage();
    String text =
        message == null || message.isBlank()
            ? error.getClass().getName()
            : (error instanceof AssertionError
                        || error.getClass().getName().startsWith("org.opentest4j")
                    ? ""
                    : error.getClass().getSimpleName() + ": ")
                + message;
    text = text.replaceAll("\\s+", " ").replaceFirst("^Assumption failed: ", "").strip();
    return text.length() > 400 ? text.substring(0, 397) + "..." : text;
  }
}
