package dev.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.spi.OptionTypes;
import dev.sessionstore.spi.StoreUri;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreOptionsTest {

  @Test
  void parsesSchemeAndParameters() {
    StoreOptions options = StoreOptions.parse("memory:?maxSessions=100000&maxIdle=PT30M");
    assertThat(options.scheme()).isEqualTo("memory");
    StoreUri uri = StoreUri.of(options);
    assertThat(uri.parameter("maxSessions")).isEqualTo("100000");
    assertThat(uri.parameter("MAXIDLE"))
        .as("names match without regard to case")
        .isEqualTo("PT30M");
    assertThat(options.get(StoreOptions.MAX_IDLE)).isEqualTo(Duration.ofMinutes(30));
    assertThat(uri.parameterNames()).containsExactly("maxSessions", "maxIdle");
  }

  @Test
  void schemeIsLowerCasedAndMayContainPlus() {
    assertThat(StoreOptions.parse("MongoDB+SRV://cluster.example/app").scheme())
        .isEqualTo("mongodb+srv");
  }

  @Test
  void defaultsApplyWhenNothingIsGiven() {
    StoreOptions options = StoreOptions.parse("memory:");
    assertThat(options.get(StoreOptions.MAX_IDLE)).isEqualTo(Duration.ofMinutes(30));
    assertThat(options.get(StoreOptions.TOUCH_THRESHOLD)).isEqualTo(Duration.ZERO);
    assertThat(options.get(StoreOptions.TOMBSTONE_GRACE)).isEqualTo(Duration.ofMinutes(10));
    assertThat(options.get(StoreOptions.MAX_SESSION_BYTES)).isEqualTo(1024L * 1024L);
    assertThat(options.get(StoreOptions.TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.get(StoreOptions.CLOCK)).isNotNull();
    assertThat(options.require(StoreOptions.ID_GENERATOR).generate()).hasSize(43);
  }

  @Test
  void valuesSetInCodeWinOverTheUri() {
    InstantSource clock = InstantSource.fixed(Instant.EPOCH);
    StoreOptions options =
        StoreOptions.parse("memory:?maxIdle=PT1M")
            .with(StoreOptions.MAX_IDLE, Duration.ofHours(2))
            .with(StoreOptions.CLOCK, clock);
    assertThat(options.get(StoreOptions.MAX_IDLE)).isEqualTo(Duration.ofHours(2));
    assertThat(options.get(StoreOptions.CLOCK)).isSameAs(clock);
  }

  @Test
  void withUriKeepsValuesSetInCode() {
    InstantSource clock = InstantSource.fixed(Instant.EPOCH);
    StoreOptions options =
        StoreOptions.parse("tck:").with(StoreOptions.CLOCK, clock).withUri("memory:?maxIdle=5s");
    assertThat(options.scheme()).isEqualTo("memory");
    assertThat(options.get(StoreOptions.CLOCK)).isSameAs(clock);
    assertThat(options.get(StoreOptions.MAX_IDLE)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void durationsInSeveralNotations() {
    StoreOptions options = StoreOptions.parse("x:?a=500ms&b=30s&c=30m&d=2h&e=1d&f=PT0.25S&g=none");
    assertThat(options.get(OptionTypes.duration("a", null, Duration.ZERO, false)))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(options.get(OptionTypes.duration("b", null, Duration.ZERO, false)))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(options.get(OptionTypes.duration("c", null, Duration.ZERO, false)))
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(options.get(OptionTypes.duration("d", null, Duration.ZERO, false)))
        .isEqualTo(Duration.ofHours(2));
    assertThat(options.get(OptionTypes.duration("e", null, Duration.ZERO, false)))
        .isEqualTo(Duration.ofDays(1));
    assertThat(options.get(OptionTypes.duration("f", null, Duration.ZERO, false)))
        .isEqualTo(Duration.ofMillis(250));
    assertThat(options.get(OptionTypes.duration("g", Duration.ofDays(1), Duration.ZERO, true)))
        .isNull();
    assertThatThrownBy(() -> options.get(OptionTypes.duration("g", null, Duration.ZERO, false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("g='none'");
  }

  @Test
  void sizesAcceptBinarySuffixes() {
    StoreOptions options = StoreOptions.parse("x:?maxSessionBytes=512KiB");
    assertThat(options.get(StoreOptions.MAX_SESSION_BYTES)).isEqualTo(512L * 1024);
    assertThat(StoreOptions.parse("x:?maxSessionBytes=2MiB").get(StoreOptions.MAX_SESSION_BYTES))
        .isEqualTo(2L * 1024 * 1024);
  }

  @Test
  void badParameterValuesNameTheParameter() {
    assertThatThrownBy(() -> StoreOptions.parse("memory:?maxIdle=soon").get(StoreOptions.MAX_IDLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxIdle='soon'")
        .hasMessageContaining("PT30M");
    assertThatThrownBy(() -> StoreOptions.parse("memory:?timeout=-5s").get(StoreOptions.TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
    StoreOptions.Option<Long> max = OptionTypes.number("maxSessions", 10, 1, Long.MAX_VALUE);
    assertThatThrownBy(() -> StoreOptions.parse("memory:?maxSessions=0").get(max))
        .hasMessageContaining("maxSessions='0'")
        .hasMessageContaining("between 1 and");
    assertThatThrownBy(() -> StoreOptions.parse("memory:?maxSessions=lots").get(max))
        .hasMessageContaining("not a whole number");
    StoreOptions.Option<Boolean> flag = OptionTypes.bool("createIndexes", true);
    assertThatThrownBy(() -> StoreOptions.parse("memory:?createIndexes=yes").get(flag))
        .hasMessageContaining("true or false");
  }

  @Test
  void repeatedParameterIsAnErrorWhenRead() {
    StoreOptions options = StoreOptions.parse("memory:?maxIdle=1m&maxIdle=2m");
    assertThatThrownBy(() -> options.get(StoreOptions.MAX_IDLE))
        .hasMessageContaining("given twice");
  }

  @Test
  void valueOnlyOptionsCannotComeFromTheUri() {
    assertThatThrownBy(() -> StoreOptions.parse("memory:?clock=x").get(StoreOptions.CLOCK))
        .hasMessageContaining("set it in code");
  }

  @Test
  void badUrisAreRejectedWithTheProblemNamed() {
    assertThatThrownBy(() -> StoreOptions.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> StoreOptions.parse("   ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> StoreOptions.parse("localhost")).hasMessageContaining("no scheme");
    assertThatThrownBy(() -> StoreOptions.parse(":x")).hasMessageContaining("no scheme");
    assertThatThrownBy(() -> StoreOptions.parse("1db://x")).hasMessageContaining("invalid scheme");
    assertThatThrownBy(() -> StoreOptions.parse("memory:#frag")).hasMessageContaining("fragment");
    assertThatThrownBy(() -> StoreOptions.parse("memory:?a b=1")).hasMessageContaining("space");
    assertThatThrownBy(() -> StoreOptions.parse("memory:?novalue"))
        .hasMessageContaining("name=value");
    assertThatThrownBy(() -> StoreOptions.parse("memory:?=1")).hasMessageContaining("name=value");
    assertThatThrownBy(() -> StoreOptions.parse("memory:?a=%zz"))
        .hasMessageContaining("percent-escape");
    assertThatThrownBy(() -> StoreOptions.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void percentEncodedParametersAreDecoded() {
    StoreOptions options =
        StoreOptions.parse("mongodb://h/db?collection=my%20sessions&x=%E2%82%AC");
    assertThat(StoreUri.of(options).parameter("collection")).isEqualTo("my sessions");
    assertThat(StoreUri.of(options).parameter("x")).isEqualTo("€");
  }

  @Test
  void toStringRedactsPasswordsAndSecrets() {
    StoreOptions options =
        StoreOptions.parse("mongodb://alice:s3cret@db.example/app?password=hunter2&collection=s");
    String shown = options.toString();
    assertThat(shown)
        .doesNotContain("s3cret")
        .doesNotContain("hunter2")
        .contains("alice:****@db.example/app")
        .contains("collection=s");
    assertThat(StoreOptions.parse("mongodb://alice:s3cret@h1,h2/app").toString())
        .doesNotContain("s3cret");
    assertThat(StoreOptions.parse("mongodb+srv://u:p%40ss@c.example/").toString())
        .doesNotContain("p%40ss");
  }

  @Test
  void sensitiveOptionsSetInCodeAreRedacted() {
    StoreOptions.Option<String> key =
        StoreOptions.Option.sensitive("encryptionKey", String.class, s -> s, s -> {}, null);
    assertThat(StoreOptions.parse("x:").with(key, "topsecret").toString())
        .doesNotContain("topsecret");
  }

  @Test
  void uriWithoutDropsOnlyTheNamedParameters() {
    StoreOptions options =
        StoreOptions.parse(
            "mongodb://u:p@h:27017/app?collection=s&retryWrites=true&maxIdle=PT1M&w=majority");
    assertThat(StoreUri.of(options).without(List.of("collection", "MAXIDLE")))
        .isEqualTo("mongodb://u:p@h:27017/app?retryWrites=true&w=majority");
    assertThat(StoreUri.of(options).without(List.of("collection", "retryWrites", "maxIdle", "w")))
        .isEqualTo("mongodb://u:p@h:27017/app");
  }

  @Test
  void valuesSetInCodePassTheSameChecksAsUriParameters() {
    StoreOptions code =
        StoreOptions.parse("memory:").with(StoreOptions.MAX_IDLE, Duration.ofSeconds(-1));
    StoreOptions uri = StoreOptions.parse("memory:?maxIdle=-1s");
    assertThatThrownBy(() -> code.get(StoreOptions.MAX_IDLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("option maxIdle=PT-1S is invalid: must not be negative");
    assertThatThrownBy(() -> uri.get(StoreOptions.MAX_IDLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("option maxIdle='-1s' is invalid: must not be negative");
    assertThatThrownBy(
            () ->
                StoreOptions.parse("x:")
                    .with(StoreOptions.TIMEOUT, Duration.ZERO)
                    .get(StoreOptions.TIMEOUT))
        .hasMessage("option timeout=PT0S is invalid: must be at least 1ms");
    assertThatThrownBy(
            () -> StoreOptions.parse("x:?maxSessionBytes=0").get(StoreOptions.MAX_SESSION_BYTES))
        .hasMessage("option maxSessionBytes='0' is invalid: must be at least 1");
    assertThat(StoreOptions.parse("x:?maxIdle=none").get(StoreOptions.MAX_IDLE)).isNull();
    assertThat(
            StoreOptions.parse("x:").with(StoreOptions.MAX_IDLE, null).get(StoreOptions.MAX_IDLE))
        .isNull();
  }

  @Test
  void choiceOptionsListTheChoices() {
    StoreOptions.Option<java.time.temporal.ChronoUnit> unit =
        OptionTypes.choice(
            "unit", java.time.temporal.ChronoUnit.class, java.time.temporal.ChronoUnit.DAYS);
    assertThat(StoreOptions.parse("x:?unit=hours").get(unit))
        .isEqualTo(java.time.temporal.ChronoUnit.HOURS);
    assertThatThrownBy(() -> StoreOptions.parse("x:?unit=fortnights").get(unit))
        .hasMessageContaining("expected one of");
  }

  @Test
  void withChecksTheValueType() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    StoreOptions.Option<Object> raw = (StoreOptions.Option) StoreOptions.MAX_IDLE;
    assertThatThrownBy(() -> StoreOptions.parse("x:").with(raw, "PT1M"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.time.Duration");
  }

  @Test
  void passwordsWithUnencodedDelimitersAndAwsTokensAreNeverPrinted() {
    StoreOptions slash = StoreOptions.parse("mongodb://u:pa/ss@h/db?collection=s");
    assertThat(slash.toString())
        .doesNotContain("pa/ss")
        .contains("u:****@h/db")
        .contains("collection=s");
    StoreOptions question = StoreOptions.parse("mongodb://u:pa?ss@h/db?collection=s");
    assertThat(question.toString())
        .doesNotContain("pa?ss")
        .doesNotContain("ss@")
        .contains("u:****@h/db");
    assertThat(StoreUri.of(question).parameterNames()).containsExactly("collection");
    assertThat(StoreOptions.parse("mongodb://u:p@ss@h1,h2/db").toString()).doesNotContain("p@ss");
    assertThatThrownBy(() -> StoreOptions.parse("mongodb://u:pa?ss@h/db?novalue"))
        .hasMessageContaining("novalue")
        .hasMessageNotContaining("pa?ss");
    String aws =
        StoreOptions.parse(
                "mongodb://h/db?authMechanism=MONGODB-AWS"
                    + "&authMechanismProperties=AWS_SESSION_TOKEN:FQoGZXIvYXdz")
            .toString();
    assertThat(aws).doesNotContain("FQoGZXIvYXdz").contains("authMechanism=MONGODB-AWS");
    assertThat(StoreOptions.parse("memory:?x=a@b&maxIdle=1m").get(StoreOptions.MAX_IDLE))
        .as("an @ in a query value is no user information")
        .isEqualTo(Duration.ofMinutes(1));
  }
}
