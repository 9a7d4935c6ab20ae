package dev.sessionstore.mongodb;

import dev.sessionstore.InvalidSessionDataException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionStoreException;
import dev.sessionstore.SessionTooLargeException;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.jspecify.annotations.Nullable;

/**
 * Maps sessions to the documents of the sessions collection and back.
 *
 * <p>The schema (field names are short because they repeat in every document):
 *
 * <pre>
 * _id  session id (string)
 * v    version (int64); a tombstone keeps counting, so no write at an old version can land on it
 * d    data: a document whose field names are escaped with {@link FieldNames} at every depth
 * p    principal (string; absent if none)
 * x    exclusive flag (true; absent if not exclusive); the claim itself lives in the claims
 *      collection ({@link ExclusiveClaims})
 * c    createdAt (date)
 * a    lastAccessedAt (date)
 * mi   maxIdle in milliseconds (int64; absent if none)
 * ie   idle expiry = a + mi (date; absent if no idle limit); TTL index. Kept apart from the deadline
 *      so that a refresh can compute it from {@code mi} alone, without a server-side pipeline
 * dl   deadline (date; absent if none); TTL index
 * s    swept: when a store instance claimed the expired session to emit its EXPIRED event (date)
 * t    tombstone: when the session was destroyed (date); a tombstone holds only _id, v, t (and r)
 * r    the id a regenerated session moved to (tombstones only), so a claim follows its session
 * </pre>
 *
 * <p>{@code expiresAt = min(ie, dl)} (R4.1); every read and write filter checks both terms against
 * the store clock (R4.2). Data values map to BSON as: null, boolean, int64, double, string and date
 * (for {@link Instant}), arrays for lists, documents for maps (R6.1, R6.2); strings are well-formed
 * UTF-16 (the API refuses unpaired surrogates), so BSON's UTF-8 carries them exactly. Instants
 * outside the range of a BSON date use binary subtype 0x81 (seconds and nanoseconds), which nothing
 * else produces. Metadata instants and durations outside the int64 millisecond range are stored as
 * ISO-8601 strings. A document that does not follow the schema fails to decode with a {@link
 * SessionStoreException} naming the redacted id (R8.4). Stateless and thread-safe.
 */
final class SessionDocuments {

  static final String ID = "_id";
  static final String VERSION = "v";
  static final String DATA = "d";
  static final String PRINCIPAL = "p";
  static final String EXCLUSIVE = "x";
  static final String CREATED = "c";
  static final String ACCESSED = "a";
  static final String MAX_IDLE = "mi";
  static final String DEADLINE = "dl";
  static final String IDLE_EXPIRY = "ie";
  static final String SWEPT = "s";
  static final String TOMBSTONE = "t";
  static final String SUCCESSOR = "r";

  /** The optional fields of a session document, which a write sets or unsets. */
  static final java.util.List<String> OPTIONAL =
      java.util.List.of(PRINCIPAL, EXCLUSIVE, MAX_IDLE, DEADLINE, IDLE_EXPIRY);

  /** Every field of a live session document but {@code _id}, for projections. */
  static final java.util.List<String> SESSION_FIELDS =
      java.util.List.of(
          VERSION,
          DATA,
          PRINCIPAL,
          EXCLUSIVE,
          CREATED,
          ACCESSED,
          MAX_IDLE,
          DEADLINE,
          IDLE_EXPIRY,
          SWEPT,
          TOMBSTONE,
          SUCCESSOR);

  private static final byte WIDE_INSTANT = (byte) 0x81;
  private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

  private SessionDocuments() {}

  /**
   * Encodes a session and checks its size.
   *
   * @param session the session, with the version to store
   * @param maxBytes the size limit
   * @return the encoded document
   * @throws SessionTooLargeException if the encoded document exceeds the limit
   */
  static RawBsonDocument encode(Session session, long maxBytes) {
    BsonDocument doc =
        new BsonDocument(ID, new BsonString(session.id()))
            .append(VERSION, new BsonInt64(session.version()))
            .append(DATA, data(session.data()));
    String principal = session.principal();
    if (principal != null) {
      doc.append(PRINCIPAL, new BsonString(principal));
      if (session.exclusive()) {
        doc.append(EXCLUSIVE, BsonBoolean.TRUE);
      }
    }
    doc.append(CREATED, instant(session.createdAt()))
        .append(ACCESSED, instant(session.lastAccessedAt()));
    Duration maxIdle = session.maxIdle();
    if (maxIdle != null) {
      doc.append(MAX_IDLE, duration(maxIdle));
    }
    Instant deadline = session.deadline();
    if (maxIdle != null) {
      doc.append(IDLE_EXPIRY, idleExpiry(session.lastAccessedAt(), maxIdle));
    }
    if (deadline != null) {
      doc.append(DEADLINE, instant(deadline));
    }
    RawBsonDocument raw = new RawBsonDocument(doc, CODEC);
    long size = raw.getByteBuffer().remaining();
    if (size > maxBytes) {
      throw new SessionTooLargeException(size, maxBytes);
    }
    return raw;
  }

  /**
   * Builds the tombstone that replaces a session.
   *
   * @param id the session id
   * @param version the tombstone's version (the session's plus one)
   * @param now when the session was destroyed
   * @return the tombstone document
   */
  static BsonDocument tombstone(String id, long version, Instant now) {
    return new BsonDocument(ID, new BsonString(id))
        .append(VERSION, new BsonInt64(version))
        .append(TOMBSTONE, date(now));
  }

  /**
   * The idle expiry date written to {@code ie}: {@code accessed + maxIdle}, clamped to the range of
   * a BSON date.
   */
  static BsonDateTime idleExpiry(Instant accessed, Duration maxIdle) {
    Instant at;
    try {
      at = accessed.plus(maxIdle);
    } catch (ArithmeticException | DateTimeException e) {
      at = Instant.MAX;
    }
    return date(at);
  }

  /** A BSON date for an instant, clamped to the int64 millisecond range. */
  static BsonDateTime date(Instant instant) {
    try {
      return new BsonDateTime(instant.toEpochMilli());
    } catch (ArithmeticException e) {
      return new BsonDateTime(instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE);
    }
  }

  /**
   * Decodes a document of the collection.
   *
   * @param doc the document
   * @return what it holds
   * @throws SessionStoreException if the document does not follow the schema
   */
  static StoredSession decode(BsonDocument doc) {
    String id = doc.getString(ID, new BsonString("?")).getValue();
    try {
      long version = number(doc.get(VERSION));
      BsonValue tombstone = doc.get(TOMBSTONE);
      if (tombstone != null) {
        BsonValue successor = doc.get(SUCCESSOR);
        return new StoredSession(
            id,
            version,
            null,
            instant(tombstone),
            false,
            successor != null && successor.isString() ? successor.asString().getValue() : null,
            null);
      }
      Session.Builder b =
          Session.builder(id)
              .version(version)
              .data(data(doc.getDocument(DATA, new BsonDocument())))
              .createdAt(instant(doc.get(CREATED)))
              .lastAccessedAt(instant(doc.get(ACCESSED)));
      BsonValue principal = doc.get(PRINCIPAL);
      if (principal != null && !principal.isNull()) {
        b.principal(
            principal.asString().getValue(),
            doc.getBoolean(EXCLUSIVE, BsonBoolean.FALSE).getValue());
      }
      BsonValue maxIdle = doc.get(MAX_IDLE);
      if (maxIdle != null && !maxIdle.isNull()) {
        b.maxIdle(duration(maxIdle));
      }
      BsonValue deadline = doc.get(DEADLINE);
      if (deadline != null && !deadline.isNull()) {
        b.deadline(instant(deadline));
      }
      BsonValue idleExpiry = doc.get(IDLE_EXPIRY);
      return new StoredSession(
          id,
          version,
          b.build(),
          null,
          doc.containsKey(SWEPT),
          null,
          idleExpiry != null && idleExpiry.isDateTime()
              ? Instant.ofEpochMilli(idleExpiry.asDateTime().getValue())
              : null);
    } catch (RuntimeException e) {
      throw new SessionStoreException(
          "stored document of session "
              + Session.redact(id)
              + " does not follow the session schema: "
              + e.getMessage(),
          e);
    }
  }

  // ---- data ----

  static BsonDocument data(SessionData data) {
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, @Nullable Object> entry : data.asMap().entrySet()) {
      out.append(FieldNames.escape(entry.getKey()), value(entry.getValue()));
    }
    return out;
  }

  private static BsonValue value(@Nullable Object value) {
    if (value == null) {
      return BsonNull.VALUE;
    }
    if (value instanceof String s) {
      return new BsonString(s);
    }
    if (value instanceof Long l) {
      return new BsonInt64(l);
    }
    if (value instanceof Boolean b) {
      return BsonBoolean.valueOf(b);
    }
    if (value instanceof Double d) {
      return new BsonDouble(d);
    }
    if (value instanceof Instant i) {
      try {
        return new BsonDateTime(i.toEpochMilli());
      } catch (ArithmeticException e) {
        ByteBuffer bytes = ByteBuffer.allocate(12).putLong(i.getEpochSecond()).putInt(i.getNano());
        return new BsonBinary(WIDE_INSTANT, bytes.array());
      }
    }
    if (value instanceof List<?> list) {
      BsonArray array = new BsonArray(new ArrayList<>(list.size()));
      for (Object element : list) {
        array.add(value(element));
      }
      return array;
    }
    if (value instanceof Map<?, ?> map) {
      BsonDocument doc = new BsonDocument();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        doc.append(FieldNames.escape((String) entry.getKey()), value(entry.getValue()));
      }
      return doc;
    }
    // SessionData has normalised every value, so this is a bug rather than bad input.
    throw new InvalidSessionDataException("?", "unexpected type " + value.getClass().getName());
  }

  static SessionData data(BsonDocument doc) {
    if (doc.isEmpty()) {
      return SessionData.empty();
    }
    return SessionData.of(map(doc));
  }

  private static Map<String, @Nullable Object> map(BsonDocument doc) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, BsonValue> entry : doc.entrySet()) {
      out.put(FieldNames.unescape(entry.getKey()), value(entry.getValue()));
    }
    return out;
  }

  private static @Nullable Object value(BsonValue value) {
    switch (value.getBsonType()) {
      case NULL:
        return null;
      case STRING:
        return value.asString().getValue();
      case INT64:
        return value.asInt64().getValue();
      case INT32:
        return (long) value.asInt32().getValue();
      case DOUBLE:
        return value.asDouble().getValue();
      case BOOLEAN:
        return value.asBoolean().getValue();
      case DATE_TIME:
        return Instant.ofEpochMilli(value.asDateTime().getValue());
      case ARRAY:
        {
          BsonArray array = value.asArray();
          List<@Nullable Object> list = new ArrayList<>(array.size());
          for (BsonValue element : array) {
            list.add(value(element));
          }
          return list;
        }
      case DOCUMENT:
        return map(value.asDocument());
      case BINARY:
        {
          BsonBinary binary = value.asBinary();
          if (binary.getType() == WIDE_INSTANT && binary.getData().length == 12) {
            ByteBuffer bytes = ByteBuffer.wrap(binary.getData());
            return Instant.ofEpochSecond(bytes.getLong(), bytes.getInt());
          }
          throw new IllegalArgumentException("unexpected binary subtype " + binary.getType());
        }
      default:
        throw new IllegalArgumentException(
            "unexpected BSON type " + value.getBsonType() + " in the data");
    }
  }

  // ---- metadata ----

  private static BsonValue instant(Instant instant) {
    try {
      return new BsonDateTime(instant.toEpochMilli());
    } catch (ArithmeticException e) {
      return new BsonString(instant.toString());
    }
  }

  private static Instant instant(@Nullable BsonValue value) {
    if (value == null) {
      throw new IllegalArgumentException("a timestamp is missing");
    }
    if (value.isDateTime()) {
      return Instant.ofEpochMilli(value.asDateTime().getValue());
    }
    try {
      return Instant.parse(value.asString().getValue());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("bad timestamp " + value, e);
    }
  }

  private static BsonValue duration(Duration duration) {
    try {
      return new BsonInt64(duration.toMillis());
    } catch (ArithmeticException e) {
      return new BsonString(duration.toString());
    }
  }

  private static Duration duration(BsonValue value) {
    if (value.isString()) {
      return Duration.parse(value.asString().getValue());
    }
    return Duration.ofMillis(number(value));
  }

  private static long number(@Nullable BsonValue value) {
    if (value == null) {
      throw new IllegalArgumentException("a number is missing");
    }
    if (value.isInt64()) {
      return value.asInt64().getValue();
    }
    if (value.isInt32()) {
      return value.asInt32().getValue();
    }
    if (value.isDouble()) {
      return (long) value.asDouble().getValue();
    }
    throw new IllegalArgumentException("expected a number, found " + value.getBsonType());
  }

  /** For messages: a BSON value's JSON, shortened. */
  static String brief(BsonValue value) {
    String json = value.isDocument() ? value.asDocument().toJson() : String.valueOf(value);
    return json.length() > 200 ? json.substring(0, 200) + "…" : json;
  }

  static BsonInt32 one() {
    return new BsonInt32(1);
  }
}
