package dev.sessionstore.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionTooLargeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

class SessionDocumentsTest {

  private static final long LIMIT = 1024 * 1024;

  @Test
  void roundTripsEveryValueTypeAndNestedEscapedKeys() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("a.b", List.of(Map.of("$in", 1, "%2E", "x"), 2.5, true));
    nested.put("", null);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("long", 42L);
    data.put("int", 7);
    data.put("double", -0.0);
    data.put("nan", Double.NaN);
    data.put("string", "h\u00e9llo \uD83D\uDE00 \0 end");
    data.put("instant", Instant.parse("2024-05-01T10:15:30.123456Z"));
    data.put("far", Instant.MAX);
    data.put("past", Instant.MIN);
    data.put("bool", false);
    data.put("null", null);
    data.put("nested", nested);
    data.put("$top.level\0", List.of(List.of(), Map.of()));
    Session session =
        Session.builder("abcdefghijklmnop")
            .data(SessionData.of(data))
            .principal("alice", true)
            .createdAt(Instant.parse("2024-01-01T00:00:00Z"))
            .lastAccessedAt(Instant.parse("2024-01-01T00:05:00Z"))
            .maxIdle(Duration.ofMinutes(30))
            .deadline(Instant.parse("2024-01-02T00:00:00Z"))
            .version(9)
            .build();

    RawBsonDocument doc = SessionDocuments.encode(session, LIMIT);
    StoredSession stored = SessionDocuments.decode(doc);

    assertThat(stored.isTombstone()).isFalse();
    for (String key : session.data().keys()) {
      assertThat(stored.session().data().get(key)).as(key).isEqualTo(session.data().get(key));
    }
    assertThat(stored.session()).isEqualTo(session);
    assertThat(doc.getBoolean("x").getValue()).isTrue();
    assertThat(doc.containsKey("xc"))
        .as("no claim field: claims live in their own collection")
        .isFalse();
    assertThat(doc.getDateTime("ie").getValue())
        .isEqualTo(Instant.parse("2024-01-01T00:35:00Z").toEpochMilli());
    assertThat(doc.getDateTime("dl").getValue())
        .isEqualTo(Instant.parse("2024-01-02T00:00:00Z").toEpochMilli());
  }

  @Test
  void roundTripsExtremeMetadata() {
    Session session =
        Session.builder("abcdefghijklmnop")
            .createdAt(Instant.MIN)
            .lastAccessedAt(Instant.MAX)
            .maxIdle(Duration.ofSeconds(Long.MAX_VALUE))
            .deadline(Instant.MAX)
            .version(Long.MAX_VALUE)
            .build();
    RawBsonDocument doc = SessionDocuments.encode(session, LIMIT);
    assertThat(SessionDocuments.decode(doc).session()).isEqualTo(session);
    assertThat(doc.getDateTime("ie").getValue()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void neverExpiringSessionHasNoExpiryField() {
    Session session = Session.builder("abcdefghijklmnop").build();
    RawBsonDocument doc = SessionDocuments.encode(session, LIMIT);
    assertThat(doc.containsKey("ie")).isFalse();
    assertThat(doc.containsKey("dl")).isFalse();
    assertThat(doc.containsKey("p")).isFalse();
    assertThat(doc.containsKey("xc")).isFalse();
  }

  @Test
  void tombstoneDecodesAsTombstone() {
    BsonDocument doc =
        new BsonDocument("_id", new org.bson.BsonString("abcdefghijklmnop"))
            .append("v", new org.bson.BsonInt64(4))
            .append("t", new org.bson.BsonDateTime(0))
            .append("r", new org.bson.BsonString("qrstuvwxyz012345"));
    StoredSession stored = SessionDocuments.decode(doc);
    assertThat(stored.isTombstone()).isTrue();
    assertThat(stored.version()).isEqualTo(4);
    assertThat(stored.tombstonedAt()).isEqualTo(Instant.EPOCH);
    assertThat(stored.isLive(Instant.EPOCH)).isFalse();
    assertThat(stored.successor()).isEqualTo("qrstuvwxyz012345");
  }

  @Test
  void sizeIsTheEncodedDocumentsSize() {
    String big = "x".repeat(2000);
    Session session =
        Session.builder("abcdefghijklmnop").data(SessionData.of(Map.of("big", big))).build();
    RawBsonDocument doc = SessionDocuments.encode(session, LIMIT);
    int size = doc.getByteBuffer().remaining();
    assertThat(size).isGreaterThan(2000).isLessThan(2200);
    assertThat(SessionDocuments.encode(session, size).getByteBuffer().remaining()).isEqualTo(size);
    assertThatThrownBy(() -> SessionDocuments.encode(session, size - 1))
        .isInstanceOf(SessionTooLargeException.class)
        .hasMessageContaining(size + " bytes");
  }

  @Test
  void deepNestingWithinTheDataLimitEncodes() {
    Object value = "leaf";
    for (int i = 0; i < SessionData.MAX_DEPTH; i++) {
      if (i % 2 == 0) {
        List<Object> list = new ArrayList<>();
        list.add(value);
        value = list;
      } else {
        value = Map.of("k.", value);
      }
    }
    Session session =
        Session.builder("abcdefghijklmnop").data(SessionData.of(Map.of("deep", value))).build();
    assertThat(SessionDocuments.decode(SessionDocuments.encode(session, LIMIT)).session())
        .isEqualTo(session);
  }
}
