package dev.sessionstore.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command-line runner end to end, against the reference store served for {@code reference:}.
 */
class TckRunnerTest {

  private record Run(int exit, List<String> out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        TckRunner.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit,
        List.of(out.toString(StandardCharsets.UTF_8).split("\\R")),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void wholeKitAgainstTheReferenceStorePasses() {
    Run run = run("reference:");
    assertThat(run.exit()).as("exit status; output:%n%s", String.join("\n", run.out())).isZero();
    assertThat(run.out().get(0)).isEqualTo("sessionstore TCK against StoreOptions{uri=reference:}");
    List<String> ruleLines = new ArrayList<>(run.out().subList(1, run.out().size() - 1));
    assertThat(ruleLines).hasSize(KitReport.RULES.size());
    for (int i = 0; i < KitReport.RULES.size(); i++) {
      String rule = KitReport.RULES.get(i);
      String line = ruleLines.get(i);
      if (rule.equals("R8.1") || rule.equals("R8.2") || rule.equals("R8.4")) {
        assertThat(line)
            .as("line of %s", rule)
            .startsWith("SKIPPED  " + rule + " ")
            .contains("no BackendControl hook");
      } else {
        assertThat(line)
            .as("line of %s", rule)
            .startsWith("PASS     " + rule + " ")
            .contains("tests passed");
      }
    }
    assertThat(run.out().get(run.out().size() - 1))
        .matches("33 rules: 30 passed, 0 failed, 3 skipped \\(\\d+ tests in [0-9.]+ s\\)");
  }

  @Test
  void aFlawedStoreFailsItsRuleAndTheExitStatusIsOne() {
    Run run = run("--rules", "R4.2,R3.1", "reference:?flaws=returns-expired");
    assertThat(run.exit()).as("exit status").isEqualTo(1);
    assertThat(run.out()).hasSize(4);
    assertThat(run.out().get(1)).startsWith("PASS     R3.1 ");
    assertThat(run.out().get(2)).startsWith("FAIL     R4.2 ").contains("expired");
    assertThat(run.out().get(3)).startsWith("2 rules: 1 passed, 1 failed, 0 skipped");
  }

  @Test
  void verboseListsEveryFailedTestOfAFailedRule() {
    Run run = run("--verbose", "--rules", "R4.2", "reference:?flaws=returns-expired");
    assertThat(run.exit()).isEqualTo(1);
    long failedLines =
        run.out().stream().filter(line -> line.startsWith("               failed: R4.2 ")).count();
    long failedTests =
        run.out().stream().filter(line -> line.startsWith("  FAIL     R4.2 ")).count();
    assertThat(failedLines)
        .as("failed tests listed under the rule")
        .isGreaterThan(1)
        .isEqualTo(failedTests);
  }

  @Test
  void verbosePrintsOneLinePerTest() {
    Run run = run("--verbose", "--rules", "r1.4", "reference:");
    assertThat(run.exit()).isZero();
    // Four R1.4 tests (identity, unknown id, short races, sustained updates), each in the three
    // common configurations.
    assertThat(run.out()).filteredOn(line -> line.startsWith("  PASS     R1.4 ")).hasSize(12);
  }

  @Test
  void usageErrorsExitWithTwo() {
    Run none = run();
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("no store URI given").contains("usage:");
    Run unknownScheme = run("nosuchscheme:");
    assertThat(unknownScheme.exit()).isEqualTo(2);
    assertThat(unknownScheme.err()).contains("nosuchscheme").contains("reference");
    Run badRule = run("--rules", "R9.9", "reference:");
    assertThat(badRule.exit()).isEqualTo(2);
    assertThat(badRule.err()).contains("unknown rule R9.9");
    Run missingJar = run("--classpath", "does-not-exist.jar", "reference:");
    assertThat(missingJar.exit()).isEqualTo(2);
    assertThat(missingJar.err()).contains("does-not-exist.jar does not exist");
    Run unopenable = run("reference:?flaws=no-such-flaw");
    assertThat(unopenable.exit()).as("exit status for a store that cannot be opened").isEqualTo(2);
    assertThat(unopenable.err()).contains("cannot be opened").contains("NO_SUCH_FLAW");
    assertThat(unopenable.out())
        .as("no rule lines for a store that cannot be opened")
        .noneMatch(line -> line.startsWith("FAIL"));
    Run help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(String.join("\n", help.out())).contains("--classpath");
  }
}
