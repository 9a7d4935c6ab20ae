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
 * x    exclusive flag (true; absent if not exclusive)
 * xc   the exclusive claim: the principal again, present only while this session holds the claim;
 *      a unique sparse index on it allows one holder per principal
 * c    createdAt (date)
 * a    lastAccessedAt (date)
 * mi   maxIdle in milliseconds (int64; absent if none)
 * dl   deadline (date; absent if none)
 * e    expiresAt = min(a + mi, dl) (date; absent if the session never expires); TTL index and read
 *      filters use it
 * s    swept: when a store instance claimed the expired session to emit its EXPIRED event (date)
 * t    tombstone: when the session was destroyed (date); a tombstone holds only _id, v and t
 * </pre>
 *
 * <p>Data values map to BSON as: null, boolean, int64, double, string and date (for {@link Instant}),
 * arrays for lists, documents for maps. Two values BSON cannot carry exactly use binary subtypes that
 * nothing else produces: strings with a lone UTF-16 surrogate (subtype 0x80, UTF-16BE) and instants
 * outside the range of a BSON date (subtype 0x81, seconds and nanoseconds). Metadata instants and
 * durations outside the int64 millisecond range are stored as ISO-8601 strings. Stateless and
 * thread-safe.
 */
final class SessionDocuments {

  static final String ID = "_id";
  static final String VERSION = "v";
  static final String DATA = "d";
  static final String PRINCIPAL = "p";
  static final String EXCLUSIVE = "x";
  static final String CLAIM = "xc";
  static final String CREATED = "c";
  static final String ACCESSED = "a";
  static final String MAX_IDLE = "mi";
  static final String DEADLINE = "dl";
  static final String EXPIRES = "e";
  static final String SWEPT = "s";
  static final String TOMBSTONE = "t";

  /** MongoDB's limit on a document's size. */
  static final long MONGODB_MAX_BYTES = 16L * 1024 * 1024;

  private static final byte LONE_SURROGATE_STRING = (byte) 0x80;
  private static final byte WIDE_INSTANT = (byte) 0x81;
  private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

  private SessionDocuments() {}

  /**
   * Encodes a session and checks its size.
   *
   * @param session the session, with the version to store
   * @param holdClaim whether to write the exclusive claim field (when the session is exclusive)
   * @param maxBytes the size limit
   * @return the encoded document
   * @throws SessionTooLargeException if the encoded document exceeds the limit
   */
  static RawBsonDocument encode(Session session, boolean holdClaim, long maxBytes) {
    BsonDocument doc = new BsonDocument(ID, new BsonString(session.id()))
        .append(VERSION, new BsonInt64(session.version()))
        .append(DATA, data(session.data()));
    String principal = session.principal();
    if (principal != null) {
      doc.append(PRINCIPAL, new BsonString(principal));
      if (session.exclusive()) {
        doc.append(EXCLUSIVE, BsonBoolean.TRUE);
        if (holdClaim) {
          doc.append(CLAIM, new BsonString(principal));
        }
      }
    }
    doc.append(CREATED, instant(session.createdAt()))
        .append(ACCESSED, instant(session.lastAccessedAt()));
    Duration maxIdle = session.maxIdle();
    if (maxIdle != null) {
      doc.append(MAX_IDLE, duration(maxIdle));
    }
    Instant deadline = session.deadline();
    if (deadline != null) {
      doc.append(DEADLINE, instant(deadline));
    }
    BsonValue expires = expiry(session);
    if (expires != null) {
      doc.append(EXPIRES, expires);
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
   * The expiry date written to {@code e}: {@link Session#expiresAt()}, clamped to the range of a BSON
   * date.
   *
   * @param session the session
   * @return the date, or {@code null} if the session never expires
   */
  static @Nullable BsonDateTime expiry(Session session) {
    Instant expiresAt = session.expiresAt();
    return expiresAt == null ? null : date(expiresAt);
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
        return new StoredSession(id, version, null, instant(tombstone), false);
      }
      Session.Builder b = Session.builder(id)
          .version(version)
          .data(data(doc.getDocument(DATA, new BsonDocument())))
          .createdAt(instant(doc.get(CREATED)))
          .lastAccessedAt(instant(doc.get(ACCESSED)));
      BsonValue principal = doc.get(PRINCIPAL);
      if (principal != null && !principal.isNull()) {
        b.principal(principal.asString().getValue(), doc.getBoolean(EXCLUSIVE, BsonBoolean.FALSE)
            .getValue());
      }
      BsonValue maxIdle = doc.get(MAX_IDLE);
      if (maxIdle != null && !maxIdle.isNull()) {
        b.maxIdle(duration(maxIdle));
      }
      BsonValue deadline = doc.get(DEADLINE);
      if (deadline != null && !deadline.isNull()) {
        b.deadline(instant(deadline));
      }
      return new StoredSession(id, version, b.build(), null, doc.containsKey(SWEPT));
    } catch (RuntimeException e) {
      throw new SessionStoreException("stored document of session " + Session.redact(id)
          + " does not follow the session schema: " + e.getMessage(), e);
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
      return hasLoneSurrogate(s)
          ? new BsonBinary(LONE_SURROGATE_STRING, utf16(s))
          : new BsonString(s);
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
      case ARRAY: {
        BsonArray array = value.asArray();
        List<@Nullable Object> list = new ArrayList<>(array.size());
        for (BsonValue element : array) {
          list.add(value(element));
        }
        return list;
      }
      case DOCUMENT:
        return map(value.asDocument());
      case BINARY: {
        BsonBinary binary = value.asBinary();
        if (binary.getType() == LONE_SURROGATE_STRING) {
          return utf16(binary.getData());
        }
        if (binary.getType() == WIDE_INSTANT && binary.getData().length == 12) {
          ByteBuffer bytes = ByteBuffer.wrap(binary.getData());
          return Instant.ofEpochSecond(bytes.getLong(), bytes.getInt());
        }
        throw new IllegalArgumentException("unexpected binary subtype " + binary.getType());
      }
      default:
        throw new IllegalArgumentException("unexpected BSON type " + value.getBsonType()
            + " in the data");
    }
  }

  /** UTF-16BE code units, written one by one: the JDK's encoder would replace lone surrogates. */
  private static byte[] utf16(String s) {
    ByteBuffer bytes = ByteBuffer.allocate(s.length() * 2);
    for (int i = 0; i < s.length(); i++) {
      bytes.putChar(s.charAt(i));
    }
    return bytes.array();
  }

  private static String utf16(byte[] bytes) {
    if (bytes.length % 2 != 0) {
      throw new IllegalArgumentException("odd length of a UTF-16 string");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    char[] chars = new char[bytes.length / 2];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = buffer.getChar();
    }
    return new String(chars);
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
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
