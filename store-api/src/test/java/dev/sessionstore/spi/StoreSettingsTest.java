package dev.sessionstore.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

class StoreSettingsTest {

  private static final Option<Long> SHELVES = OptionTypes.number("shelves", 3, 1, 10);
  private static final StoreSettings.Reader LOCAL =
      StoreSettings.reader("test store", "test").own(SHELVES);
  private static final StoreSettings.Reader REMOTE =
      StoreSettings.reader("remote store", "remote", "remote+srv")
          .own(SHELVES)
          .clientParameters("remote client", List.of("replicaSet", "tls"));

  @Test
  void defaultsOfEveryCommonOption() {
    StoreSettings settings = LOCAL.read(StoreOptions.parse("test:"));
    assertThat(settings.maxIdle()).isEqualTo(Duration.ofMinutes(30));
    assertThat(settings.touchThreshold()).isZero();
    assertThat(settings.tombstoneGrace()).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.maxSessionBytes()).isEqualTo(1024L * 1024L);
    assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.cleanupInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(settings.scheduler()).isSameAs(Schedulers.parallel());
    assertThat(settings.require(SHELVES)).isEqualTo(3L);
  }

  @Test
  void everyCommonOptionIsAcceptedInTheUriAndInCode() {
    StoreSettings fromUri =
        LOCAL.read(
            StoreOptions.parse(
                "test:?maxIdle=none&touchThreshold=1m"
                    + "&tombstoneGrace=0s&maxSessionBytes=2KiB&timeout=250ms&cleanupInterval=5s&shelves=7"));
    assertThat(fromUri.maxIdle()).isNull();
    assertThat(fromUri.touchThreshold()).isEqualTo(Duration.ofMinutes(1));
    assertThat(fromUri.tombstoneGrace()).isZero();
    assertThat(fromUri.maxSessionBytes()).isEqualTo(2048);
    assertThat(fromUri.timeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(fromUri.cleanupInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(fromUri.require(SHELVES)).isEqualTo(7L);

    InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00.123456Z"));
    StoreSettings fromCode =
        LOCAL.read(
            StoreOptions.parse("test:?maxIdle=1m")
                .with(StoreOptions.MAX_IDLE, Duration.ofMillis(1500))
                .with(StoreOptions.CLOCK, clock)
                .with(SHELVES, 9L));
    assertThat(fromCode.maxIdle()).as("code wins over the URI").isEqualTo(Duration.ofMillis(1500));
    assertThat(fromCode.now()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123Z"));
    assertThat(fromCode.require(SHELVES)).isEqualTo(9L);
  }

  @Test
  void badValuesFailAtReadNamingTheOptionWhetherInCodeOrUri() {
    assertThatThrownBy(() -> LOCAL.read(StoreOptions.parse("test:?touchThreshold=-1s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("option touchThreshold='-1s' is invalid: must not be negative");
    assertThatThrownBy(
            () ->
                LOCAL.read(
                    StoreOptions.parse("test:")
                        .with(StoreOptions.TOUCH_THRESHOLD, Duration.ofSeconds(-1))))
        .hasMessage("option touchThreshold=PT-1S is invalid: must not be negative");
    assertThatThrownBy(() -> LOCAL.read(StoreOptions.parse("test:").with(SHELVES, 11L)))
        .hasMessage("option shelves=11 is invalid: must be between 1 and 10");
    assertThatThrownBy(() -> LOCAL.read(StoreOptions.parse("test:?maxSessionBytes=lots")))
        .hasMessageStartingWith("option maxSessionBytes='lots' is invalid: not a size");
    assertThatThrownBy(() -> LOCAL.read(StoreOptions.parse("test:?tombstoneGrace=none")))
        .hasMessageStartingWith("option tombstoneGrace='none' is invalid: 'none' is not allowed");
  }

  @Test
  void unknownParametersAreRefusedListingTheKnownOnes() {
    assertThatThrownBy(() -> LOCAL.read(StoreOptions.parse("test:?maxIdel=20m&shelves=2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "unknown parameter maxIdel for the test store (scheme test); "
                + "known parameters: cleanupInterval, maxIdle, maxSessionBytes, shelves, "
                + "timeout, tombstoneGrace, touchThreshold");
    assertThatThrownBy(() -> LOCAL.read(StoreOptions.parse("test:?clock=x")))
        .as("a value-only option is no URI parameter")
        .hasMessageContaining("unknown parameter clock");
    LOCAL.read(StoreOptions.parse("test:?MAXIDLE=20m"));
  }

  @Test
  void aRemoteStoreAcceptsItsClientsParametersAndNoOthers() {
    StoreSettings settings =
        REMOTE.read(
            StoreOptions.parse(
                "remote+srv://u:p@h/db?replicaSet=rs0&maxIdle=5m&TLS=true&shelves=2"));
    assertThat(settings.clientUri()).isEqualTo("remote+srv://u:p@h/db?replicaSet=rs0&TLS=true");
    assertThatThrownBy(
            () -> REMOTE.read(StoreOptions.parse("remote://h/db?replicaSet=rs0&retryWritez=true")))
        .hasMessageStartingWith(
            "unknown parameter retryWritez for the remote store (scheme remote)")
        .hasMessageEndingWith("; and the remote client options: replicaSet, tls");
  }

  @Test
  void aSchemeTheStoreDoesNotServeIsRefused() {
    assertThatThrownBy(() -> LOCAL.read(StoreOptions.parse("memory:")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the test store opens test: URIs, not memory:");
  }

  @Test
  void onlyDeclaredOptionsCanBeRead() {
    StoreSettings settings = LOCAL.read(StoreOptions.parse("test:"));
    assertThatThrownBy(() -> settings.get(OptionTypes.bool("other", true)))
        .hasMessage("option other is not an option of the test store");
  }
}
