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
  void parsesTheValueKinds() {
    Object parsed = Json.parse(" {\"a\": [1, -2.5e1, true, false, null], \"b\": {\"c\": \"x\\n\\u00e9\\\"\"}} ");
    assertThat(parsed).isEqualTo(Map.of(
        "a", Arrays.asList(1L, -25.0, true, false, null),
        "b", Map.of("c", "x\né\"")));
  }

  @Test
  void writesWhatItParses() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("text", "quote \" backslash \\ tab \t newline \n control \u0001 <script>");
    value.put("list", List.of(1L, 2.5, false));
    value.put("none", null);
    value.put("nested", Map.of("k", "v"));
    String json = Json.write(value);
    assertThat(json).doesNotContain("<script>");
    assertThat(Json.parse(json)).isEqualTo(value);
  }

  @Test
  void writesInstantsAsIsoStrings() {
    assertThat(Json.write(Map.of("at", Instant.parse("2026-01-02T03:04:05.678Z"))))
        .isEqualTo("{\"at\":\"2026-01-02T03:04:05.678Z\"}");
  }

  @Test
  void rejectsMalformedInputNamingThePosition() {
    assertThatThrownBy(() -> Json.parse("{\"a\": }")).hasMessageContaining("character 6");
    assertThatThrownBy(() -> Json.parse("{\"a\": 1} x")).hasMessageContaining("after the JSON value");
    assertThatThrownBy(() -> Json.parse("[1, 2")).hasMessageContaining("end of input");
    assertThatThrownBy(() -> Json.parseObject("[1]")).hasMessageContaining("expected a JSON object");
    assertThatThrownBy(() -> Json.parse("\"\\x\"")).hasMessageContaining("unknown escape");
    assertThatThrownBy(() -> Json.parse("[".repeat(100) + "]".repeat(100)))
        .hasMessageContaining("nested deeper");
  }

  @Test
  void refusesToWriteUnknownTypes() {
    assertThatThrownBy(() -> Json.write(Map.of("x", new Object())))
        .hasMessageContaining("cannot write java.lang.Object");
  }
}
