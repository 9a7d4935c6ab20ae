package dev.sessionstore.examples.quiz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

  @Test
  void defaultsServeTheMemoryStoreWithAMinuteLongQuiz() {
    Options options = Options.parse();
    assertThat(options.store()).isEqualTo("memory:");
    assertThat(options.port()).isEqualTo(8080);
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.quizDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.simulate()).isZero();
    assertThat(options.secureCookies()).isFalse();
    assertThat(options.readTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.resultsRetention()).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void aSimulationDefaultsToFiveSecondQuizzes() {
    Options options = Options.parse("--simulate", "200", "--store=mongodb://db/quiz");
    assertThat(options.simulate()).isEqualTo(200);
    assertThat(options.store()).isEqualTo("mongodb://db/quiz");
    assertThat(options.quizDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(Options.parse("--simulate", "3", "--quiz-seconds", "1.5").quizDuration())
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(Options.parse("--simulate", "3", "--url", "http://host:8080/").url())
        .isEqualTo("http://host:8080");
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> Options.parse("--bogus"))
        .hasMessageContaining("Unknown option: '--bogus'");
    assertThatThrownBy(() -> Options.parse("--colour", "red")).hasMessageContaining("'--colour'");
    assertThatThrownBy(() -> Options.parse("--port", "x"))
        .hasMessageContaining("--port")
        .hasMessageContaining("'x'");
    assertThatThrownBy(() -> Options.parse("--port")).hasMessageContaining("--port");
    assertThatThrownBy(() -> Options.parse("--port", "70000"))
        .hasMessageContaining("--port must be between 0 and 65535");
    assertThatThrownBy(() -> Options.parse("--quiz-seconds", "0"))
        .hasMessageContaining("between 0.2");
    assertThatThrownBy(() -> Options.parse("--url", "http://x"))
        .hasMessageContaining("only goes with --simulate");
    assertThatThrownBy(() -> Options.parse("--simulate", "2", "--url", "ftp://x"))
        .hasMessageContaining("--url must start with http://");
  }

  @Test
  void theCommandLineExitsWithTwoOnAnUnknownOptionAndPrintsTheUsageOnHelp() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = QuizServer.run(new String[] {"--bogus"}, print(out), print(err));

    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "quiz-server: Unknown option: '--bogus'\ntry --help\n"
                .replace("\n", System.lineSeparator()));
    assertThat(QuizServer.run(new String[] {"--help"}, print(out), print(err))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--store=<uri>")
        .contains("--simulate=<n>")
        .contains("--max-connections=<n>");
  }

  @Test
  void aPortInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      int status =
          QuizServer.run(
              new String[] {"--port", Integer.toString(taken.getLocalPort())},
              print(new ByteArrayOutputStream()),
              print(err));

      assertThat(status).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .startsWith(
              "quiz-server: cannot start: port "
                  + taken.getLocalPort()
                  + " on 127.0.0.1 is already in use");
    }
  }

  @Test
  void printedStoreUrisHideTheirPasswords() {
    assertThat(QuizServer.redactedUri("mongodb://quiz:s3cret@db:27017/quiz?collection=s"))
        .doesNotContain("s3cret")
        .contains("db:27017/quiz")
        .contains("collection=s");
    assertThat(QuizServer.redactedUri("memory:")).isEqualTo("memory:");
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
