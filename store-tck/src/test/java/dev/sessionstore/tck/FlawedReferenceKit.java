package dev.sessionstore.tck;

import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The kit against the reference store with deliberate flaws. Not a test class of its own (surefire
 * does not pick it up by name): {@link BrokenStoresTest} runs it through the JUnit Platform
 * Launcher.
 *
 * <p>With {@link #stopAtFirstFailure} set, the tests after the first failing one are skipped: the
 * rule under test has failed by then, and running the rest cannot change that verdict, only its
 * cost. Some deterministic flaws run only the tests named in {@link #FOCUS}.
 */
@ExtendWith(FlawedReferenceKit.Steering.class)
class FlawedReferenceKit implements SessionStoreTck {

  static volatile Set<ReferenceStore.Flaw> flaws = EnumSet.noneOf(ReferenceStore.Flaw.class);

  /** Whether a failed test ends the run (the remaining tests reported as skipped). */
  static volatile boolean stopAtFirstFailure;

  /**
   * Whether every test runs in the first configuration only (for the run without flaws, whose every
   * configuration {@link ReferenceStoreTckTest} already runs).
   */
  private static volatile boolean firstConfigurationOnly;

  /** Whether a test failed since the last reset. */
  private static volatile boolean failed;

  /**
   * The kit test methods that alone expose a deterministic flaw (on a virtual clock or in a single
   * thread, caught in every run), for the flaws whose rule also has expensive tests that cannot
   * (measured in SENSITIVITY.md). Flaws not listed run every test of their rule; so do all races.
   */
  static final Map<ReferenceStore.Flaw, Set<String>> FOCUS =
      Map.of(
          // every operation sleeps: the plain probe sees it; the contention probes take seconds
          ReferenceStore.Flaw.BLOCKING, Set.of("r2_7_noBlocking"),
          // the second EXPIRED comes from a read on the virtual clock; the system-clock test waits
          ReferenceStore.Flaw.EXPIRED_ON_EVERY_NOTICE, Set.of("r4_5_expiredOnceWhicheverPath"),
          // past version 127 every compare-and-set fails at once; the CAS loops retry 100,000 times
          ReferenceStore.Flaw.VERSION_BOXED_IDENTITY, Set.of("r2_3_largeVersions"));

  private final SimulatedBackend backend = new SimulatedBackend();

  /**
   * Before a run: sets the flaws and how the run is steered, and clears the record of a failure.
   */
  static void reset(Set<ReferenceStore.Flaw> newFlaws, boolean stopEarly, boolean firstOnly) {
    flaws =
        newFlaws.isEmpty() ? EnumSet.noneOf(ReferenceStore.Flaw.class) : EnumSet.copyOf(newFlaws);
    stopAtFirstFailure = stopEarly;
    firstConfigurationOnly = firstOnly;
    failed = false;
  }

  @Override
  public List<KitConfiguration> configurations() {
    List<KitConfiguration> all = SessionStoreTck.super.configurations();
    return firstConfigurationOnly ? all.subList(0, 1) : all;
  }

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    return new ReferenceStore(kitOptions.withUri("reference:"), backend, flaws);
  }

  @Override
  public BackendControl backendControl() {
    return backend;
  }

  /** Skips tests outside the flaw's focus, and every test after a failure when asked to. */
  static final class Steering implements ExecutionCondition, TestWatcher {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (stopAtFirstFailure && failed) {
        return ConditionEvaluationResult.disabled("the rule already failed");
      }
      String method = context.getTestMethod().map(m -> m.getName()).orElse(null);
      if (method != null) {
        for (ReferenceStore.Flaw flaw : flaws) {
          Set<String> focus = FOCUS.get(flaw);
          if (focus != null && !focus.contains(method)) {
            return ConditionEvaluationResult.disabled("outside the focus of flaw " + flaw);
          }
        }
      }
      return ConditionEvaluationResult.enabled("runs");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      failed = true;
    }
  }
}
