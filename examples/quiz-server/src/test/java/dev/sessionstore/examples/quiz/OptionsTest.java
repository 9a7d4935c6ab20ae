package dev.sessionstore.examples.quiz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

  @Test
  void defaultsServeTheMemoryStoreWithAMinuteLongQuiz() {
    Options options = Options.parse();
    assertThat(options.store()).isEqualTo("memory:");
    assertThat(options.port()).isEqualTo(8080);
    assertThat(options.quizDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.simulate()).isZero();
  }

  @Test
  void aSimulationDefaultsToFiveSecondQuizzes() {
    Options options = Options.parse("--simulate", "200", "--store=mongodb://db/quiz");
    assertThat(options.simulate()).isEqualTo(200);
    assertThat(options.store()).isEqualTo("mongodb://db/quiz");
    assertThat(options.quizDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(Options.parse("--simulate", "3", "--quiz-seconds", "1.5").quizDuration())
        .isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> Options.parse("--port", "x")).hasMessageContaining("--port expects a whole number");
    assertThatThrownBy(() -> Options.parse("--port")).hasMessageContaining("--port needs a value");
    assertThatThrownBy(() -> Options.parse("--quiz-seconds", "0")).hasMessageContaining("between 0.2");
    assertThatThrownBy(() -> Options.parse("--colour", "red")).hasMessageContaining("unknown option --colour");
    assertThatThrownBy(() -> Options.parse("--url", "http://x")).hasMessageContaining("only goes with --simulate");
  }

  @Test
  void printedStoreUrisHideTheirPasswords() {
    assertThat(QuizServer.redactedUri("mongodb://quiz:s3cret@db:27017/quiz?collection=s"))
        .doesNotContain("s3cret").contains("db:27017/quiz").contains("collection=s");
    assertThat(QuizServer.redactedUri("memory:")).isEqualTo("memory:");
  }
}
