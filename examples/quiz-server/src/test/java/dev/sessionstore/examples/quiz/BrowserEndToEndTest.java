package dev.sessionstore.examples.quiz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page end to end in headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}; {@code e2e/install-browser.sh} installs them): two browsers, one taking the
 * quiz, the other refused meanwhile. Skipped where Chromium is not installed.
 */
class BrowserEndToEndTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static final java.util.logging.Logger SELENIUM_LOG =
      java.util.logging.Logger.getLogger("org.openqa.selenium");
  private static final List<WebDriver> drivers = new ArrayList<>();
  private static final List<Path> profiles = new ArrayList<>();
  private static WebDriver first;
  private static WebDriver second;
  private QuizServer server;

  @BeforeAll
  static void startBrowsers() throws IOException {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Chromium is not installed (run examples/quiz-server/e2e/install-browser.sh)");
    // Selenium warns that it has no DevTools bindings for this Chromium; the test uses none.
    SELENIUM_LOG.setLevel(java.util.logging.Level.SEVERE);
    first = browser();
    second = browser();
  }

  private static WebDriver browser() throws IOException {
    Path profile = Files.createTempDirectory("quiz-chromium-");
    profiles.add(profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile);
    WebDriver driver = new ChromeDriver(service, options);
    drivers.add(driver);
    return driver;
  }

  @AfterAll
  static void stopBrowsers() throws IOException {
    for (WebDriver driver : drivers) {
      driver.quit();
    }
    for (Path profile : profiles) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
    for (WebDriver driver : drivers) {
      driver.manage().deleteAllCookies();
    }
  }

  private void startServer(Duration quiz) {
    server =
        QuizServer.start(
            QuizApiTest.options("memory:", quiz, Duration.ofMillis(250)), InstantSource.system());
  }

  private static WebDriverWait waiting(WebDriver driver, int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(50));
  }

  private void logIn(WebDriver driver, String user) {
    driver.get(server.url() + "/");
    waiting(driver, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("user")));
    driver.findElement(By.id("user")).clear();
    driver.findElement(By.id("user")).sendKeys(user);
    driver.findElement(By.id("login")).click();
  }

  /** The one result of a user, read with the session of the browser that took the quiz. */
  private Map<String, Object> onlyResult(WebDriver driver, String user) {
    TestBrowser owner = new TestBrowser(server.url());
    owner.useSid(driver.manage().getCookieNamed("sid").getValue());
    List<?> attempts = QuizData.list(owner.get("/api/results/" + user).body().get("attempts"));
    assertThat(attempts).hasSize(1);
    return QuizData.map(attempts.get(0));
  }

  @Test
  void takeTheQuizWhileASecondBrowserIsRefused() {
    startServer(Duration.ofSeconds(60));

    logIn(first, "lin");
    waiting(first, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("start"))).click();
    waiting(first, 10)
        .until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#questions li"), 6));
    String countdown = first.findElement(By.id("countdown")).getText();
    waiting(first, 5).until(d -> !d.findElement(By.id("countdown")).getText().equals(countdown));
    first.findElement(By.id("choice-1-0")).click();
    first.findElement(By.id("choice-2-1")).click();
    first.findElement(By.id("choice-3-2")).click();
    for (int q = 1; q <= 3; q++) {
      waiting(first, 5).until(ExpectedConditions.textToBe(By.id("saved-" + q), "saved"));
    }
    waiting(first, 5).until(d -> !d.findElement(By.id("ticks")).getText().equals("0"));

    logIn(second, "lin");
    waiting(second, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
    assertThat(second.findElement(By.id("error")).getText())
        .isEqualTo("quiz in progress in another browser");
    assertThat(second.findElement(By.id("home-panel")).isDisplayed()).isFalse();

    first.findElement(By.id("submit")).click();
    waiting(first, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("result-panel")));
    Map<String, Object> result = onlyResult(first, "lin");
    assertThat(result).containsEntry("evaluatedBy", "submit");
    assertThat(result.get("answers")).isEqualTo(Map.of("1", 0L, "2", 1L, "3", 2L));
    assertThat(first.findElement(By.id("score")).getText()).isEqualTo(result.get("score") + " / 6");
    assertThat(first.findElement(By.id("result-note")).getText()).contains("Submitted");

    second.findElement(By.id("login")).click();
    waiting(second, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("home-panel")));
  }

  @Test
  void whenTimeRunsOutThePageShowsTheAutomaticEvaluation() {
    startServer(Duration.ofSeconds(4));

    logIn(first, "kay");
    waiting(first, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("start"))).click();
    waiting(first, 10)
        .until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#questions li"), 6));
    first.findElement(By.id("choice-2-3")).click();
    waiting(first, 5).until(ExpectedConditions.textToBe(By.id("saved-2"), "saved"));

    waiting(first, 20)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("result-note"), "Time ran out"));
    Map<String, Object> result = onlyResult(first, "kay");
    assertThat(result).containsEntry("evaluatedBy", "deadline");
    assertThat(result.get("answers")).isEqualTo(Map.of("2", 3L));
    assertThat(first.findElement(By.id("score")).getText()).isEqualTo(result.get("score") + " / 6");
  }
}
