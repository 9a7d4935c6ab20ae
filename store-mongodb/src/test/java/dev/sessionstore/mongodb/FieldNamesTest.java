package dev.sessionstore.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldNamesTest {

  private static final char[] TRICKY = {
    '%', '.', '$', '\0', 'u', 'U', '2', '5', 'E', 'e', '4', '0', 'D', '8', 'F', 'a', 'é', '中', '\\',
    '_', '\uFF0E', '\uFF04', '\u2024'
  };

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "%",
        "%%",
        ".",
        "$",
        "\0",
        "a.b",
        "$set",
        "a$b.c",
        "%2E",
        "%25",
        "%24",
        "%00",
        "%u",
        "%uD800",
        "x-dot-",
        "\uD83D\uDE00",
        "\uFF0E",
        "\uFF04",
        "\u2024",
        "a\0b",
        "..",
        "$.",
        "%%2E",
        "über.straße",
        "   ",
        "%",
        "%2",
        "%ZZ"
      })
  void roundTripsExamples(String name) {
    String escaped = FieldNames.escape(name);
    assertMongoSafe(name, escaped);
    assertThat(FieldNames.unescape(escaped)).isEqualTo(name);
  }

  @Test
  void plainNamesAreKeptAsTheyAre() {
    assertThat(FieldNames.escape("answer_3")).isEqualTo("answer_3");
    assertThat(FieldNames.escape("a.b")).isEqualTo("a%2Eb");
    assertThat(FieldNames.escape("")).isEqualTo("%");
  }

  /**
   * Thousands of random names drawn mostly from the characters that matter: escaping is injective
   * (no two names share an escaped form), safe for MongoDB, and reversed exactly.
   */
  @Test
  void roundTripsGeneratedNames() {
    for (long seed : new long[] {1L, 42L, 20240607L, -7L, 987654321L}) {
      Random random = new Random(seed);
      Map<String, String> seen = new HashMap<>();
      for (int i = 0; i < 4000; i++) {
        String name = randomName(random);
        String escaped = FieldNames.escape(name);
        try {
          assertMongoSafe(name, escaped);
          assertThat(FieldNames.unescape(escaped)).isEqualTo(name);
          String before = seen.putIfAbsent(escaped, name);
          assertThat(before == null || before.equals(name))
              .as("two names escape to the same field")
              .isTrue();
        } catch (AssertionError e) {
          fail(
              "seed " + seed + ", case " + i + ", name " + describe(name) + ": " + e.getMessage(),
              e);
        }
      }
    }
  }

  /** Strings that escape never produces are rejected, so decoding cannot silently alias. */
  @Test
  void rejectsWhatEscapeNeverWrites() {
    Random random = new Random(5150);
    int rejected = 0;
    for (int i = 0; i < 4000; i++) {
      String field = randomName(random);
      String name;
      try {
        name = FieldNames.unescape(field);
      } catch (IllegalArgumentException e) {
        rejected++;
        continue;
      }
      assertThat(FieldNames.escape(name))
          .as("seed 5150, case %d: %s", i, describe(field))
          .isEqualTo(field);
    }
    assertThat(rejected).as("random strings with escapes are mostly invalid").isGreaterThan(100);
    for (String bad :
        new String[] {
          "%2",
          "%ZZ",
          "%41",
          "%2e",
          "%uD80",
          "%u0041",
          "%uD800%uDC00",
          "\uD800%uDC00",
          "a.b",
          "$x",
          "\0"
        }) {
      assertThatThrownBy(() -> FieldNames.unescape(bad))
          .as(describe(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static String randomName(Random random) {
    int length = random.nextInt(12);
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(10);
      if (kind < 7) {
        out.append(TRICKY[random.nextInt(TRICKY.length)]);
      } else if (kind < 9) {
        out.append((char) ('a' + random.nextInt(26)));
      } else {
        // Well-formed UTF-16 only: the API refuses unpaired surrogates (R6.1).
        char c = (char) random.nextInt(0x10000);
        out.append(Character.isSurrogate(c) ? 'x' : c);
      }
    }
    return out.toString();
  }

  private static void assertMongoSafe(String name, String escaped) {
    assertThat(escaped)
        .as("escaped %s", describe(name))
        .isNotEmpty()
        .doesNotContain(".", "$", "\0");
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if (Character.isHighSurrogate(c)) {
        assertThat(i + 1 < escaped.length() && Character.isLowSurrogate(escaped.charAt(i + 1)))
            .as("lone high surrogate in escaped %s", describe(name))
            .isTrue();
        i++;
      } else {
        assertThat(Character.isLowSurrogate(c))
            .as("lone low surrogate in escaped %s", describe(name))
            .isFalse();
      }
    }
  }

  private static String describe(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04X", (int) c));
    }
    return out.append('"').toString();
  }
}
