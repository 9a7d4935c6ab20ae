package dev.sessionstore.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Every rule of SPEC.md has a test, and every test names its rule. */
class KitCoverageTest {

  private static List<String> displayNames() {
    TestPlan plan =
        LauncherFactory.create()
            .discover(
                LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(ReferenceStoreTckTest.class))
                    .build());
    List<String> names = new ArrayList<>();
    for (TestIdentifier root : plan.getRoots()) {
      collect(plan, root, names);
    }
    return names;
  }

  private static void collect(TestPlan plan, TestIdentifier id, List<String> names) {
    // A kit test is a template (one run per configuration), so discovery shows it as a container.
    if (id.isTest() || id.getSource().filter(MethodSource.class::isInstance).isPresent()) {
      names.add(id.getDisplayName());
    }
    for (TestIdentifier child : plan.getChildren(id)) {
      collect(plan, child, names);
    }
  }

  @Test
  void everyTestStartsWithAKnownRuleIdAndEveryRuleHasATest() {
    List<String> names = displayNames();
    assertThat(names).hasSizeGreaterThan(50);
    Set<String> covered = new TreeSet<>();
    for (String name : names) {
      String rule = KitReport.ruleOf(name);
      assertThat(rule).as("rule id at the start of \"%s\"", name).isNotNull();
      covered.add(rule);
    }
    assertThat(covered).containsExactlyInAnyOrderElementsOf(KitReport.RULES);
  }

  @Test
  void theKitsRuleListMatchesSpec() throws IOException {
    Path spec = Path.of("..", "SPEC.md");
    Assumptions.assumeTrue(Files.exists(spec), "SPEC.md is not next to the module");
    Matcher m =
        Pattern.compile("^- (R\\d+\\.\\d+) ", Pattern.MULTILINE).matcher(Files.readString(spec));
    List<String> rules = new ArrayList<>();
    while (m.find()) {
      rules.add(m.group(1));
    }
    assertThat(KitReport.RULES).as("rules of SPEC.md, in order").containsExactlyElementsOf(rules);
  }
}
