package dev.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdGeneratorTest {

  @Test
  void defaultDraws256BitsAsUrlSafeText() {
    SessionIdGenerator generator = SessionIdGenerator.secureRandom();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = generator.generate();
      assertThat(id).hasSize(43).matches("[A-Za-z0-9_-]+");
      assertThat(Base64.getUrlDecoder().decode(id)).hasSize(32);
      assertThat(Session.isWellFormedId(id)).isTrue();
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void everyBitPositionVaries() {
    // A constant or badly seeded generator would leave bits fixed across many draws.
    SessionIdGenerator generator = SessionIdGenerator.secureRandom(16);
    byte[] or = new byte[16];
    byte[] and = new byte[16];
    java.util.Arrays.fill(and, (byte) 0xff);
    for (int i = 0; i < 200; i++) {
      byte[] bytes = Base64.getUrlDecoder().decode(generator.generate());
      for (int b = 0; b < 16; b++) {
        or[b] |= bytes[b];
        and[b] &= bytes[b];
      }
    }
    for (int b = 0; b < 16; b++) {
      assertThat(or[b]).as("byte %d ever set", b).isEqualTo((byte) 0xff);
      assertThat(and[b]).as("byte %d ever clear", b).isEqualTo((byte) 0);
    }
  }

  @Test
  void refusesFewerThan128Bits() {
    assertThatThrownBy(() -> SessionIdGenerator.secureRandom(15))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16");
  }

  @Test
  void uuidVariantIsWellFormed() {
    String id = SessionIdGenerator.uuid().generate();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(Session.isWellFormedId(id)).isTrue();
  }
}
