package dev.sessionstore.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionIdGenerator;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionPolicyTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aReadRefreshesOnlyOnceTheThresholdHasPassed() {
    Session s = Session.builder("abc").lastAccessedAt(T0).build();
    assertThat(SessionPolicy.needsRefresh(s, T0, Duration.ZERO)).as("same millisecond").isFalse();
    assertThat(SessionPolicy.needsRefresh(s, T0.plusMillis(1), Duration.ZERO)).isTrue();
    assertThat(SessionPolicy.needsRefresh(s, T0.plusSeconds(59), Duration.ofMinutes(1))).isFalse();
    assertThat(SessionPolicy.needsRefresh(s, T0.plusSeconds(60), Duration.ofMinutes(1))).isTrue();
    assertThat(SessionPolicy.needsRefresh(s, T0.minusMillis(5), Duration.ZERO))
        .as("a clock that went back never refreshes")
        .isFalse();
  }

  @Test
  void changeMustReturnASessionWithTheSameId() {
    Session s = Session.builder("abc").build();
    assertThat(SessionPolicy.checkChange("abc", s)).isSameAs(s);
    assertThatThrownBy(() -> SessionPolicy.checkChange("abc", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("returned null");
    assertThatThrownBy(() -> SessionPolicy.checkChange("abd", s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another id");
  }

  @Test
  void regenerateKeepsEverythingButIdAccessAndVersion() {
    Session old =
        Session.builder("old")
            .data(SessionData.empty().with("k", "v"))
            .principal("alice", true)
            .createdAt(T0)
            .lastAccessedAt(T0.plusSeconds(1))
            .maxIdle(Duration.ofMinutes(5))
            .deadline(T0.plusSeconds(3600))
            .version(4)
            .build();
    Session moved = SessionPolicy.regenerated(old, "new", T0.plusSeconds(2));
    assertThat(moved.id()).isEqualTo("new");
    assertThat(moved.version()).isEqualTo(5);
    assertThat(moved.lastAccessedAt()).isEqualTo(T0.plusSeconds(2));
    assertThat(moved.data()).isEqualTo(old.data());
    assertThat(moved.principal()).isEqualTo("alice");
    assertThat(moved.exclusive()).isTrue();
    assertThat(moved.createdAt()).isEqualTo(T0);
    assertThat(moved.maxIdle()).isEqualTo(old.maxIdle());
    assertThat(moved.deadline()).isEqualTo(old.deadline());
  }

  @Test
  void malformedGeneratedIdsAreRefused() {
    SessionIdGenerator bad = () -> "has space";
    assertThatThrownBy(() -> SessionPolicy.newId(bad))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("malformed id");
    assertThat(SessionPolicy.newId(() -> "fine")).isEqualTo("fine");
  }

  @Test
  void principalsMustBeWellFormedUtf16() {
    assertThat(SessionPolicy.unpairedSurrogate("plain")).isEqualTo(-1);
    assertThat(SessionPolicy.unpairedSurrogate("\uD83D\uDE00")).isEqualTo(-1);
    assertThat(SessionPolicy.unpairedSurrogate("ab\uD800")).isEqualTo(2);
    assertThat(SessionPolicy.unpairedSurrogate("\uDC00x")).isZero();
    assertThatThrownBy(() -> SessionPolicy.checkPrincipal("\uDBFF"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 0");
    assertThatThrownBy(() -> SessionPolicy.checkPrincipal(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void nullArgumentsAreNamed() {
    assertThatThrownBy(() -> SessionPolicy.requireArgument(null, "draft"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("draft is null");
  }

  @Test
  void aClosedGuardFailsEveryCheckAndClosesOnce() {
    StoreGuard guard = new StoreGuard("test store");
    guard.checkOpen();
    assertThat(guard.close()).isTrue();
    assertThat(guard.close()).isFalse();
    assertThatThrownBy(guard::checkOpen)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the test store is closed");
  }
}
