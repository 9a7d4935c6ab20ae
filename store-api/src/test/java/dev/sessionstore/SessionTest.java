package dev.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.spi.SessionPolicy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void expiresAtIsTheEarlierOfIdleAndDeadline() {
    Session idleOnly =
        Session.builder("abc").lastAccessedAt(T0).maxIdle(Duration.ofMinutes(30)).build();
    assertThat(idleOnly.expiresAt()).isEqualTo(T0.plusSeconds(1800));

    Session both = idleOnly.withDeadline(T0.plusSeconds(60));
    assertThat(both.expiresAt()).isEqualTo(T0.plusSeconds(60));

    Session deadlineLater = idleOnly.withDeadline(T0.plusSeconds(3600));
    assertThat(deadlineLater.expiresAt()).isEqualTo(T0.plusSeconds(1800));

    Session never = idleOnly.withMaxIdle(null);
    assertThat(never.expiresAt()).isNull();
    assertThat(never.isExpiredAt(Instant.MAX)).isFalse();
  }

  @Test
  void expiredAtOrPastExpiry() {
    Session s = Session.builder("abc").lastAccessedAt(T0).maxIdle(Duration.ofSeconds(10)).build();
    assertThat(s.isExpiredAt(T0.plusMillis(9_999))).isFalse();
    assertThat(s.isExpiredAt(T0.plusSeconds(10))).isTrue();
  }

  @Test
  void hugeIdleLimitsDoNotOverflow() {
    Session s =
        Session.builder("abc")
            .lastAccessedAt(T0)
            .maxIdle(Duration.ofSeconds(Long.MAX_VALUE))
            .build();
    assertThat(s.expiresAt()).isEqualTo(Instant.MAX);
    assertThat(s.isExpiredAt(T0)).isFalse();
  }

  @Test
  void withersReturnNewValuesAndKeepTheVersion() {
    Session s = Session.builder("abc").version(4).build();
    Session changed = s.withAttribute("a", 1).withPrincipal("alice", true);
    assertThat(s.data().isEmpty()).isTrue();
    assertThat(s.principal()).isNull();
    assertThat(changed.attribute("a")).isEqualTo(1L);
    assertThat(changed.principal()).isEqualTo("alice");
    assertThat(changed.exclusive()).isTrue();
    assertThat(changed.version()).isEqualTo(4);
    assertThat(changed.withoutAttribute("a").data().isEmpty()).isTrue();
  }

  @Test
  void exclusiveNeedsAPrincipal() {
    assertThat(Session.builder("abc").principal(null, true).build().exclusive()).isFalse();
    assertThatThrownBy(() -> Session.builder("abc").principal("", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("principal is empty");
  }

  @Test
  void timestampsAreTruncatedToMillis() {
    Session s =
        Session.builder("abc")
            .createdAt(T0.plusNanos(1_234_567))
            .deadline(T0.plusNanos(999_999))
            .build();
    assertThat(s.createdAt()).isEqualTo(T0.plusMillis(1));
    assertThat(s.deadline()).isEqualTo(T0);
  }

  @Test
  void rejectsNonPositiveIdleLimits() {
    assertThatThrownBy(() -> Session.builder("abc").maxIdle(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxIdle");
    assertThatThrownBy(() -> Session.builder("abc").maxIdle(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Session.builder("abc").version(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version");
  }

  @Test
  void wellFormedIds() {
    assertThat(Session.isWellFormedId("aZ09._~-")).isTrue();
    assertThat(Session.isWellFormedId("x".repeat(256))).isTrue();
    assertThat(Session.isWellFormedId("x".repeat(257))).isFalse();
    assertThat(Session.isWellFormedId("")).isFalse();
    assertThat(Session.isWellFormedId(null)).isFalse();
    assertThat(Session.isWellFormedId("a b")).isFalse();
    assertThat(Session.isWellFormedId("a/b")).isFalse();
    assertThat(Session.isWellFormedId("é")).isFalse();
    assertThatThrownBy(() -> Session.builder("bad id!"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside [A-Za-z0-9._~-]");
    assertThatThrownBy(() -> Session.requireWellFormedId("x".repeat(300)))
        .hasMessageContaining("300 characters");
  }

  @Test
  void toStringNeverShowsTheWholeIdOrValues() {
    String id = "Zx9_secretSessionIdentifier";
    Session s = Session.builder(id).data(SessionData.empty().with("card", "4111")).build();
    assertThat(s.toString()).doesNotContain(id).doesNotContain("4111").contains("Zx9_");
  }

  @Test
  void equalityCoversEveryField() {
    Session a = Session.builder("abc").lastAccessedAt(T0).version(2).build();
    assertThat(a).isEqualTo(a.toBuilder().build());
    assertThat(a).isNotEqualTo(a.toBuilder().version(3).build());
    assertThat(a).isNotEqualTo(a.toBuilder().lastAccessedAt(T0.plusMillis(1)).build());
  }

  @Test
  void draftUsesTheStoreDefaultIdleUnlessSetExplicitly() {
    Duration storeDefault = Duration.ofMinutes(30);
    Session viaDefault = SessionPolicy.newSession(SessionDraft.empty(), "abc", T0, storeDefault);
    assertThat(viaDefault.maxIdle()).isEqualTo(storeDefault);
    assertThat(viaDefault.version()).isEqualTo(1);
    assertThat(viaDefault.createdAt()).isEqualTo(T0);
    assertThat(viaDefault.lastAccessedAt()).isEqualTo(T0);

    Session never =
        SessionPolicy.newSession(SessionDraft.empty().withMaxIdle(null), "abc", T0, storeDefault);
    assertThat(never.maxIdle()).isNull();

    Session quiz =
        SessionPolicy.newSession(
            SessionDraft.of(SessionData.empty().with("q", 1))
                .withPrincipal("alice", true)
                .withMaxIdle(Duration.ofMinutes(5))
                .withDeadline(T0.plusSeconds(60)),
            "abc",
            T0,
            storeDefault);
    assertThat(quiz.principal()).isEqualTo("alice");
    assertThat(quiz.exclusive()).isTrue();
    assertThat(quiz.expiresAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(quiz.attribute("q")).isEqualTo(1L);
  }

  @Test
  void principalsWithUnpairedSurrogatesAreRefused() {
    for (String bad : new String[] {"\uD800", "\uDBFF", "a\uDC00b", "x\uD83D"}) {
      assertThatThrownBy(() -> Session.builder("abc").principal(bad, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unpaired surrogate");
      assertThatThrownBy(() -> SessionDraft.empty().withPrincipal(bad, true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unpaired surrogate");
    }
    assertThat(Session.builder("abc").principal("\uD83D\uDE00", true).build().principal())
        .as("a surrogate pair is fine")
        .isEqualTo("\uD83D\uDE00");
  }
}
