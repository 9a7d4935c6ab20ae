package dev.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionDataTest {

  @Test
  void normalisesNumbersAndInstants() {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("i", 7);
    in.put("s", (short) 3);
    in.put("b", (byte) 1);
    in.put("f", 1.5f);
    in.put("t", Instant.parse("2026-01-02T03:04:05.123456789Z"));
    SessionData data = SessionData.of(in);

    assertThat(data.get("i")).isEqualTo(7L);
    assertThat(data.get("s")).isEqualTo(3L);
    assertThat(data.get("b")).isEqualTo(1L);
    assertThat(data.get("f")).isEqualTo(1.5d);
    assertThat(data.get("t")).isEqualTo(Instant.parse("2026-01-02T03:04:05.123Z"));
    assertThat(data.asMap().keySet()).containsExactly("i", "s", "b", "f", "t");
  }

  @Test
  void normalisesInsideNestedListsAndMaps() {
    Map<String, Object> inner = new HashMap<>();
    inner.put("n", 5);
    SessionData data = SessionData.of(Map.of("list", List.of(1, List.of(2.5f), inner)));

    assertThat(data.get("list")).isEqualTo(List.of(1L, List.of(2.5d), Map.of("n", 5L)));
  }

  @Test
  void copiesSoLaterChangesToTheInputDoNotLeakIn() {
    List<Object> answers = new ArrayList<>(List.of("a"));
    Map<String, Object> in = new HashMap<>();
    in.put("answers", answers);
    SessionData data = SessionData.of(in);
    answers.add("b");
    in.put("other", 1);

    assertThat(data.get("answers")).isEqualTo(List.of("a"));
    assertThat(data.containsKey("other")).isFalse();
  }

  @Test
  void isUnmodifiableAtEveryDepth() {
    SessionData data = SessionData.of(Map.of("m", Map.of("l", List.of(1))));
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) data.get("m");
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) m.get("l");

    assertThatThrownBy(() -> data.asMap().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> m.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> l.add(2)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsUnsupportedTypesNamingThePath() {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("q.1", new BigDecimal("1.0"));
    Map<String, Object> in = Map.of("answers", List.of("ok", q));

    assertThatThrownBy(() -> SessionData.of(in))
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("answers[1][\"q.1\"]")
        .hasMessageContaining("java.math.BigDecimal")
        .extracting(e -> ((InvalidSessionDataException) e).path())
        .isEqualTo("answers[1][\"q.1\"]");
  }

  @Test
  void rejectsNonStringMapKeysAndNullAttributeNames() {
    Map<Object, Object> bad = new HashMap<>();
    bad.put(1, "x");
    assertThatThrownBy(() -> SessionData.of(Map.of("m", bad)))
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("map keys must be strings");

    Map<String, Object> nullKey = new HashMap<>();
    nullKey.put(null, 1);
    assertThatThrownBy(() -> SessionData.of(nullKey)).isInstanceOf(InvalidSessionDataException.class);
  }

  @Test
  void acceptsNestingToMaxDepthAndRejectsOneMore() {
    Object deepest = "leaf";
    for (int i = 0; i < SessionData.MAX_DEPTH; i++) {
      deepest = List.of(deepest);
    }
    Object allowed = deepest;
    assertThat(SessionData.empty().with("deep", allowed).get("deep")).isEqualTo(allowed);

    Object tooDeep = List.of(allowed);
    assertThatThrownBy(() -> SessionData.empty().with("deep", tooDeep))
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("deeper than 32");
  }

  @Test
  void reusingANormalisedValueDeeperStillHonoursTheDepthLimit() {
    Object nested = "leaf";
    for (int i = 0; i < SessionData.MAX_DEPTH; i++) {
      nested = List.of(nested);
    }
    Object normalised = SessionData.empty().with("a", nested).get("a");

    assertThatThrownBy(() -> SessionData.empty().with("b", Map.of("wrap", normalised)))
        .isInstanceOf(InvalidSessionDataException.class);
  }

  @Test
  void selfReferenceFailsInsteadOfOverflowingTheStack() {
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThatThrownBy(() -> SessionData.empty().with("c", cyclic))
        .isInstanceOf(InvalidSessionDataException.class);
  }

  @Test
  void keepsHostileKeysExactly() {
    List<String> keys = Arrays.asList("", ".", "$", "\0", "a.b", "$set", "\\u002e", "%2E", "ключ", "🔑");
    SessionData data = SessionData.empty();
    for (String key : keys) {
      data = data.with(key, key);
    }
    assertThat(data.keys()).containsExactlyElementsOf(keys);
    for (String key : keys) {
      assertThat(data.get(key)).isEqualTo(key);
    }
  }

  @Test
  void withKeepsPositionAndWithoutRemoves() {
    SessionData data = SessionData.empty().with("a", 1).with("b", 2).with("a", 3);
    assertThat(data.keys()).containsExactly("a", "b");
    assertThat(data.get("a")).isEqualTo(3L);
    assertThat(data.without("a").keys()).containsExactly("b");
    assertThat(data.without("missing")).isSameAs(data);
  }

  @Test
  void nullValuesArePresent() {
    SessionData data = SessionData.empty().with("n", null);
    assertThat(data.containsKey("n")).isTrue();
    assertThat(data.get("n")).isNull();
    assertThat(data.size()).isEqualTo(1);
  }

  @Test
  void equalityIsDeepAndIgnoresTheInputTypes() {
    SessionData a = SessionData.of(Map.of("x", List.of(1, 2), "y", Map.of("z", 1.0f)));
    SessionData b = SessionData.of(Map.of("x", List.of(1L, 2L), "y", Map.of("z", 1.0d)));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
  }

  @Test
  void estimatedSizeGrowsWithContentAndCountsUtf8Bytes() {
    SessionData small = SessionData.empty().with("k", "x");
    SessionData big = SessionData.empty().with("k", "x".repeat(10_000));
    assertThat(big.estimatedSize() - small.estimatedSize()).isEqualTo(9_999);
    SessionData euro = SessionData.empty().with("k", "€");
    assertThat(euro.estimatedSize() - small.estimatedSize()).isEqualTo(2);
  }

  @Test
  void toStringShowsNamesButNotValues() {
    assertThat(SessionData.empty().with("token", "s3cret").toString())
        .contains("token").doesNotContain("s3cret");
  }
}
