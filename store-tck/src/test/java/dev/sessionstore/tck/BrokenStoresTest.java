package dev.sessionstore.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kit proves it can fail: for each deliberate flaw of the reference store, the kit's tests of
 * the matching rule run against the flawed store and that rule must fail.
 */
class BrokenStoresTest {

  private static final java.io.@org.jspecify.annotations.Nullable PrintStream VERBOSE =
      Boolean.getBoolean("kit.verbose") ? System.out : null;

  @AfterEach
  void noFlaws() {
    FlawedReferenceKit.reset(Set.of(), false, false);
  }

  /**
   * Every flaw once; {@code -Dkit.flaws=A,B} picks flaws and {@code -Dkit.repeat=20} repeats each,
   * which is how the 20-of-20 sensitivity of the kit is measured (SENSITIVITY.md). {@code
   * -Dkit.verbose=true} prints every kit test's result and time.
   */
  static Stream<Arguments> flawRuns() {
    String only = System.getProperty("kit.flaws", "");
    int repeat = Integer.getInteger("kit.repeat", 1);
    List<ReferenceStore.Flaw> flaws =
        only.isBlank()
            ? List.of(ReferenceStore.Flaw.values())
            : Stream.of(only.split(","))
                .map(String::strip)
                .map(ReferenceStore.Flaw::valueOf)
                .toList();
    return flaws.stream()
        .flatMap(flaw -> IntStream.rangeClosed(1, repeat).mapToObj(run -> Arguments.of(flaw, run)));
  }

  @ParameterizedTest(name = "{0} fails its rule (run {1})")
  @MethodSource("flawRuns")
  void theMatchingRuleFails(ReferenceStore.Flaw flaw, int run) {
    FlawedReferenceKit.reset(EnumSet.of(flaw), true, false);
    KitReport report = TckRunner.runKit(FlawedReferenceKit.class, Set.of(flaw.rule), VERBOSE);
    List<KitReport.RuleResult> rules = report.rules(Set.of(flaw.rule));
    assertThat(rules).hasSize(1);
    System.out.println(
        "FLAWRUN "
            + flaw
            + " run "
            + run
            + " -> "
            + rules.get(0).status()
            + " "
            + flaw.rule
            + " ("
            + report.nanos() / 1_000_000
            + " ms): "
            + rules.get(0).reason());
    assertThat(rules.get(0).status())
        .as("rule %s for a store with flaw %s: %s", flaw.rule, flaw, rules.get(0).reason())
        .isEqualTo(KitReport.Status.FAIL);
    assertThat(report.kitErrors()).as("errors outside tests").isEmpty();
  }

  @Test
  @DisplayName("without flaws, the rules of every flaw pass against the same kit class")
  void withoutFlawsTheSameRulesPass() {
    Set<String> rules = new java.util.TreeSet<>();
    for (ReferenceStore.Flaw flaw : ReferenceStore.Flaw.values()) {
      rules.add(flaw.rule);
    }
    // ReferenceStoreTckTest runs the same store in every configuration; this run proves the
    // wiring of FlawedReferenceKit, so that the failures above come from the flaws alone.
    FlawedReferenceKit.reset(Set.of(), false, true);
    KitReport report = TckRunner.runKit(FlawedReferenceKit.class, rules, VERBOSE);
    assertThat(report.rules(rules))
        .as("rule results of the unflawed reference store")
        .allSatisfy(
            rule ->
                assertThat(rule.status())
                    .as(rule.rule() + ": " + rule.reason())
                    .isEqualTo(KitReport.Status.PASS));
  }

  @Test
  @DisplayName("every rule but R2.2 has a flaw the kit catches")
  void flawsCoverTheRules() {
    Set<String> covered = new java.util.TreeSet<>();
    for (ReferenceStore.Flaw flaw : ReferenceStore.Flaw.values()) {
      covered.add(flaw.rule);
    }
    // R2.2 (immutability) cannot be broken through the API: Session and SessionData are immutable
    // values.
    assertThat(covered)
        .containsExactlyInAnyOrderElementsOf(
            KitReport.RULES.stream().filter(rule -> !rule.equals("R2.2")).toList());
  }
}
