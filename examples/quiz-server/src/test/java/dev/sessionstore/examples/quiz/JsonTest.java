package dev.sessionstore.examples.quiz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void parsesTheValueKindsWithWholeNumbersAsLongs() {
    Map<String, Object> parsed =
        Json.parseObject(
            " {\"a\": [1, -2.5e1, true, false, null], \"b\": {\"c\": \"x\\n\\u00e9\\\"\"}} ");
    assertThat(parsed)
        .isEqualTo(
            Map.of(
                "a", Arrays.asList(1L, -25.0, true, false, null),
                "b", Map.of("c", "x\né\"")));
  }

  @Test
  void writesWhatItParses() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("text", "quote \" backslash \\ tab \t newline \n control \u0001");
    value.put("list", List.of(1L, 2.5, false));
    value.put("none", null);
    value.put("nested", Map.of("k", "v"));
    assertThat(Json.parseObject(Json.write(value))).isEqualTo(value);
  }

  @Test
  void writesInstantsAsIsoStrings() {
    assertThat(Json.write(Map.of("at", Instant.parse("2026-01-02T03:04:05.678Z"))))
        .isEqualTo("{\"at\":\"2026-01-02T03:04:05.678Z\"}");
  }

  @Test
  void refusesWhatIsNotOneJsonObject() {
    assertThatThrownBy(() -> Json.parseObject("{\"a\": }"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> Json.parseObject("{\"a\": 1} x"))
        .hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> Json.parseObject("[1]")).hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> Json.parseObject("null")).hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> Json.parseObject("user=mallory"))
        .hasMessageStartingWith("malformed JSON");
    String deep = "{\"a\":".repeat(Json.MAX_DEPTH + 1) + "1" + "}".repeat(Json.MAX_DEPTH + 1);
    assertThatThrownBy(() -> Json.parseObject(deep))
        .hasMessageStartingWith("malformed JSON")
        .hasMessageContaining("depth");
  }
}
