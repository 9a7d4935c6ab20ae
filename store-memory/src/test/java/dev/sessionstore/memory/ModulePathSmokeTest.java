package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sessionstore.SessionStore;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Runs a tiny application on the module path with store-api and store-memory as named modules, as a
 * JPMS user would: it requires only {@code dev.sessionstore.api}, so the memory store is found by
 * service binding through the two {@code module-info} files ({@code uses} / {@code provides}), and
 * compiling it proves that the API packages are exported. The tests themselves run on the class
 * path, which would hide a broken module descriptor.
 */
class ModulePathSmokeTest {

  private static final String MODULE_INFO =
      """
      module hello.modules {
        requires dev.sessionstore.api;
      }
      """;

  private static final String MAIN =
      """
      package hello.modules;

      import dev.sessionstore.Session;
      import dev.sessionstore.SessionDraft;
      import dev.sessionstore.SessionStore;
      import dev.sessionstore.SessionStores;

      public class Main {
        public static void main(String[] args) {
          try (SessionStore store = SessionStores.open("memory:")) {
            Session created = store.create(SessionDraft.empty().withPrincipal("alice", false)).block();
            store.update(created.id(), s -> s.withAttribute("greeting", "hello")).block();
            Session read = store.get(created.id()).block();
            System.out.println("api module: " + SessionStore.class.getModule().getName());
            System.out.println("store module: " + store.getClass().getModule().getName());
            System.out.println("attribute: " + read.attribute("greeting"));
            System.out.println("principal: " + read.principal());
          }
        }
      }
      """;

  @Test
  void anApplicationOnTheModulePathFindsTheMemoryStoreThroughServiceBinding(@TempDir Path dir)
      throws Exception {
    String modulePath =
        Stream.of(
                SessionStore.class,
                MemorySessionStore.class,
                Caffeine.class,
                Mono.class,
                Publisher.class)
            .map(ModulePathSmokeTest::location)
            .distinct()
            .collect(Collectors.joining(File.pathSeparator));

    Path src = dir.resolve("src/hello/modules");
    Files.createDirectories(src);
    Files.writeString(dir.resolve("src/module-info.java"), MODULE_INFO);
    Files.writeString(src.resolve("Main.java"), MAIN);
    Path classes = dir.resolve("classes");

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status =
        javac.run(
            null,
            diagnostics,
            diagnostics,
            "--release",
            "17",
            "--module-path",
            modulePath,
            "-d",
            classes.toString(),
            dir.resolve("src/module-info.java").toString(),
            src.resolve("Main.java").toString());
    assertThat(status)
        .as(
            "javac status compiling the application against the modules:%n%s",
            diagnostics.toString(StandardCharsets.UTF_8))
        .isZero();

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--module-path");
    command.add(classes + File.pathSeparator + modulePath);
    command.add("--module");
    command.add("hello.modules/hello.modules.Main");
    Path output = dir.resolve("output.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    // A guard against a hung child only; the application itself finishes in about a second.
    boolean exited = process.waitFor(5, TimeUnit.MINUTES);
    if (!exited) {
      process.destroyForcibly();
    }
    String printed = read(output);
    assertThat(exited).as("the application exits; it printed:%n%s", printed).isTrue();
    assertThat(process.exitValue()).as("exit status; it printed:%n%s", printed).isZero();
    assertThat(printed.lines())
        .contains(
            "api module: dev.sessionstore.api",
            "store module: dev.sessionstore.memory",
            "attribute: hello",
            "principal: alice");
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate " + type, e);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
