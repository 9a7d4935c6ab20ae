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

    assertThatThrownBy(() -> data.asMap().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
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
    assertThatThrownBy(() -> SessionData.of(nullKey))
        .isInstanceOf(InvalidSessionDataException.class);
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
    List<String> keys =
        Arrays.asList("", ".", "$", "\0", "a.b", "$set", "\\u002e", "%2E", "ключ", "🔑");
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
        .contains("token")
        .doesNotContain("s3cret");
  }

  @Test
  void refusesUnpairedSurrogatesInKeysAndStringsNamingThePath() {
    String lone = "a\uD800b";
    assertThatThrownBy(() -> SessionData.of(Map.of("s", lone)))
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("unpaired surrogate U+D800 at index 1")
        .extracting(e -> ((InvalidSessionDataException) e).path())
        .isEqualTo("s");
    assertThatThrownBy(
            () -> SessionData.of(Map.of("answers", List.of("ok", Map.of("q", List.of("\uDC00"))))))
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("U+DC00")
        .extracting(e -> ((InvalidSessionDataException) e).path())
        .isEqualTo("answers[1][\"q\"][0]");
    assertThatThrownBy(() -> SessionData.of(Map.of("k\uDBFF", 1)))
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("key has an unpaired surrogate")
        .extracting(e -> ((InvalidSessionDataException) e).path())
        .isEqualTo("[\"k\\udbff\"]");
    assertThatThrownBy(() -> SessionData.of(Map.of("m", Map.of("x\uD83D", "v"))))
        .isInstanceOf(InvalidSessionDataException.class)
        .extracting(e -> ((InvalidSessionDataException) e).path())
        .isEqualTo("m[\"x\\ud83d\"]");
    assertThatThrownBy(() -> SessionData.empty().with("\uDFFFk", "v"))
        .isInstanceOf(InvalidSessionDataException.class)
        .hasMessageContaining("key has an unpaired surrogate");
    assertThatThrownBy(() -> SessionData.empty().with("k", List.of("\uD83D\uD83D")))
        .isInstanceOf(InvalidSessionDataException.class)
        .extracting(e -> ((InvalidSessionDataException) e).path())
        .isEqualTo("k[0]");
    assertThatThrownBy(() -> SessionData.normaliseValue("n", "x\uD800"))
        .isInstanceOf(InvalidSessionDataException.class)
        .extracting(e -> ((InvalidSessionDataException) e).path())
        .isEqualTo("n");
    // Well-formed pairs, and surrogates at either end of the string, are told apart correctly.
    assertThat(
            SessionData.of(Map.of("\uD83D\uDD11", "\uD83D\uDD11x\uD83D\uDE00")).get("\uD83D\uDD11"))
        .isEqualTo("\uD83D\uDD11x\uD83D\uDE00");
    assertThatThrownBy(() -> SessionData.of(Map.of("s", "\uD83D\uDD11\uD83D")))
        .hasMessageContaining("at index 2");
  }

  @Test
  void takesNormalisedValuesWithoutCopyingThem() {
    SessionData data =
        SessionData.of(Map.of("list", List.of(1, 2), "map", Map.of("a", List.of("x"))));
    assertThat(SessionData.of(data.asMap()).asMap()).isSameAs(data.asMap());
    Object list = data.get("list");
    Object map = data.get("map");
    SessionData other = SessionData.of(Map.of("l", list, "m", map, "nested", List.of(map)));
    assertThat(other.get("l")).isSameAs(list);
    assertThat(other.get("m")).isSameAs(map);
    assertThat(((List<?>) other.get("nested")).get(0)).isSameAs(map);
    assertThat(data.with("again", list).get("again")).isSameAs(list);
  }

  @Test
  void acceptsSessionDataAsAMapValue() {
    SessionData inner = SessionData.of(Map.of("a", 1));
    SessionData outer = SessionData.empty().with("inner", inner);
    assertThat(outer.get("inner")).isSameAs(inner.asMap()).isEqualTo(Map.of("a", 1L));
  }

  @Test
  void estimatedSizeFollowsTheEncodingRulesAndStaysTrueThroughWithAndWithout() {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("s", "é"); // 1 + 3 + (2 + 2)
    in.put("n", null); // 1 + 3 + 1
    in.put("l", List.of(1, true)); // 1 + 3 + (2 + (1 + 8) + (1 + 1))
    in.put("m", Map.of("k", Instant.EPOCH)); // 1 + 3 + (2 + (1 + 3 + 8))
    SessionData data = SessionData.of(in);
    assertThat(data.estimatedSize()).isEqualTo(2 + 8 + 5 + 17 + 18);
    SessionData changed = data.with("s", "abc").with("x", List.of()).without("n");
    Map<String, Object> same = new LinkedHashMap<>(in);
    same.put("s", "abc");
    same.put("x", List.of());
    same.remove("n");
    assertThat(changed.estimatedSize()).isEqualTo(SessionData.of(same).estimatedSize());
    assertThat(changed.without("s").without("l").without("m").without("x").estimatedSize())
        .isEqualTo(SessionData.empty().estimatedSize());
  }

  @Test
  void manyAttributesAreFoundByNameAndBehaveAsAMap() {
    Map<String, Object> in = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      in.put("key-" + i, (long) i);
    }
    SessionData data = SessionData.of(in);
    for (int i = 0; i < 100; i++) {
      assertThat(data.get("key-" + i)).isEqualTo((long) i);
    }
    assertThat(data.containsKey("key-100")).isFalse();
    assertThat(data.get("missing")).isNull();
    assertThat(data.asMap()).isEqualTo(in).hasSameHashCodeAs(in);
    assertThat(in).isEqualTo(data.asMap());
    assertThat(data.keys()).containsExactlyElementsOf(in.keySet());
    SessionData fewer = data;
    for (int i = 0; i < 95; i++) {
      fewer = fewer.without("key-" + i);
    }
    assertThat(fewer.keys()).containsExactly("key-95", "key-96", "key-97", "key-98", "key-99");
    assertThat(fewer.with("key-97", "x").get("key-97")).isEqualTo("x");
    assertThatThrownBy(() -> data.asMap().remove("key-1"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> data.asMap().entrySet().iterator().next().setValue(1L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> data.asMap().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
