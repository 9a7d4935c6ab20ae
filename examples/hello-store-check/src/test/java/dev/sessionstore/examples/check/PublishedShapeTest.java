package dev.sessionstore.examples.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What a user copies and what gets published stay true to the build: the README shows
 * examples/hello-store's pom.xml as it is (and the invoker plugin builds that project from the
 * installed artifacts), its versions are this build's, and the BOM lists exactly the modules that
 * are published.
 */
class PublishedShapeTest {

  private static final Path README = Path.of(System.getProperty("readme"));
  private static final Path HELLO_POM = Path.of(System.getProperty("helloStorePom"));
  private static final Path ROOT = README.getParent();

  @Test
  void theReadmeShowsTheHelloStorePomAsItIs() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int section = readme.indexOf("\n## Using it");
    assertThat(section).as("README has a 'Using it' section").isNotNegative();
    Matcher block = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find(section)).as("'Using it' has an xml block").isTrue();
    assertThat(block.group(1))
        .as("the first xml block of README 'Using it' is examples/hello-store/pom.xml verbatim")
        .isEqualTo(Files.readString(HELLO_POM, StandardCharsets.UTF_8));
  }

  @Test
  void theHelloStorePomUsesThisBuildsVersions() throws Exception {
    Document pom = parse(HELLO_POM);
    assertThat(text(pom.getDocumentElement(), "properties", "sessionstore.version"))
        .as("sessionstore.version in examples/hello-store/pom.xml (and so in the README)")
        .isEqualTo(System.getProperty("projectVersion"));
    assertThat(versionOf(pom, "mongo-java-server"))
        .isEqualTo(System.getProperty("mongoJavaServerVersion"));
    assertThat(versionOf(pom, "maven-compiler-plugin"))
        .isEqualTo(System.getProperty("compilerPluginVersion"));
    assertThat(versionOf(pom, "exec-maven-plugin"))
        .isEqualTo(System.getProperty("execPluginVersion"));
  }

  @Test
  void theBomListsExactlyThePublishedModulesAndTheReleaseProfileLeavesOutTheRest()
      throws Exception {
    Document root = parse(ROOT.resolve("pom.xml"));
    TreeSet<String> published = new TreeSet<>();
    TreeSet<String> unpublished = new TreeSet<>();
    for (String module : texts(root.getDocumentElement(), "modules", "module")) {
      Document pom = parse(ROOT.resolve(module).resolve("pom.xml"));
      String artifactId = text(pom.getDocumentElement(), "artifactId");
      if (artifactId.equals("store-bom")) {
        continue;
      }
      String skip = text(pom.getDocumentElement(), "properties", "maven.deploy.skip");
      (skip.equals("true") ? unpublished : published).add(artifactId);
    }
    Document bom = parse(ROOT.resolve("store-bom/pom.xml"));
    List<String> managed = new ArrayList<>();
    NodeList ids = bom.getElementsByTagName("artifactId");
    for (int i = 0; i < ids.getLength(); i++) {
      Node parent = ids.item(i).getParentNode();
      if (parent.getNodeName().equals("dependency")) {
        managed.add(ids.item(i).getTextContent().trim());
      }
    }
    assertThat(managed)
        .as("store-bom lists every module that publishes (no maven.deploy.skip) and no other")
        .containsExactlyInAnyOrderElementsOf(published);

    List<String> excluded = new ArrayList<>();
    NodeList artifacts = root.getElementsByTagName("excludeArtifacts");
    for (int i = 0; i < artifacts.getLength(); i++) {
      NodeList children = artifacts.item(i).getChildNodes();
      for (int j = 0; j < children.getLength(); j++) {
        if (children.item(j) instanceof Element) {
          excluded.add(children.item(j).getTextContent().trim());
        }
      }
    }
    assertThat(excluded)
        .as("the release profile's excludeArtifacts are the modules with maven.deploy.skip")
        .containsExactlyInAnyOrderElementsOf(unpublished);
  }

  @Test
  void theBomUsesTheParentsPluginVersions() throws Exception {
    // store-bom cannot inherit the parent's properties, so it repeats the versions it needs.
    Element properties =
        (Element) parse(ROOT.resolve("pom.xml")).getElementsByTagName("properties").item(0);
    Document bom = parse(ROOT.resolve("store-bom/pom.xml"));
    assertThat(versionOf(bom, "maven-gpg-plugin"))
        .isEqualTo(text(properties, "gpg-plugin.version"));
    assertThat(versionOf(bom, "central-publishing-maven-plugin"))
        .isEqualTo(text(properties, "central-publishing-plugin.version"));
    assertThat(versionOf(bom, "spotless-maven-plugin"))
        .isEqualTo(text(properties, "spotless-plugin.version"));
    assertThat(text(bom.getDocumentElement(), "properties", "project.build.outputTimestamp"))
        .isEqualTo(text(properties, "project.build.outputTimestamp"));
  }

  private static String versionOf(Document pom, String artifactId) {
    NodeList ids = pom.getElementsByTagName("artifactId");
    for (int i = 0; i < ids.getLength(); i++) {
      if (ids.item(i).getTextContent().trim().equals(artifactId)) {
        return text((Element) ids.item(i).getParentNode(), "version");
      }
    }
    throw new AssertionError("no " + artifactId + " in " + pom.getDocumentURI());
  }

  private static Document parse(Path file) throws Exception {
    Document document =
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    document.setDocumentURI(file.toString());
    return document;
  }

  /** The text of the child element path under {@code from}, or "" if there is none. */
  private static String text(Element from, String... path) {
    Element at = from;
    for (String name : path) {
      Element next = null;
      for (Node n = at.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element && n.getNodeName().equals(name)) {
          next = (Element) n;
          break;
        }
      }
      if (next == null) {
        return "";
      }
      at = next;
    }
    return at.getTextContent().trim();
  }

  private static List<String> texts(Element from, String container, String name) {
    List<String> values = new ArrayList<>();
    for (Node c = from.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element && c.getNodeName().equals(container)) {
        for (Node n = c.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element && n.getNodeName().equals(name)) {
            values.add(n.getTextContent().trim());
          }
        }
      }
    }
    return values;
  }
}
