package dev.sessionstore.mongodb;

import com.mongodb.MongoCommandException;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates the store's indexes if they are missing and checks existing ones.
 *
 * <p>The sessions collection gets a sparse principal index (for {@code findByPrincipal}), a TTL
 * index on each expiry term ({@code ie} and {@code dl}, {@code ttlGrace} after expiry) and a sparse
 * tombstone index (for cleanup); none is unique, so the collection can be sharded on {@code _id}.
 * The claims collection needs only its {@code _id} index. With {@code forbidUniqueIndexes}, a
 * unique secondary index found on either collection fails the open, naming it.
 *
 * <p>An index with the same keys and options (under any name) is accepted as it is; one with the
 * same keys or the same name but other options makes setup fail with an {@link
 * IllegalStateException} naming it, since a silently different index (say, a non-unique claim
 * index) would break the store's guarantees. Creating an index that exists is a no-op, so several
 * instances may start at once.
 */
final class IndexSetup {

  /** At most how many commands setting up the indexes sends. */
  static final int COMMANDS = 7;

  static final String PRINCIPAL_INDEX = "sessionstore_principal";
  static final String IDLE_EXPIRY_INDEX = "sessionstore_idle_expiry_ttl";
  static final String DEADLINE_INDEX = "sessionstore_deadline_ttl";
  static final String TOMBSTONE_INDEX = "sessionstore_tombstone";

  /** One index the store needs. */
  record Wanted(
      String name,
      BsonDocument keys,
      boolean unique,
      boolean sparse,
      @Nullable Long expireAfterSeconds) {

    IndexOptions options() {
      IndexOptions options = new IndexOptions().name(name).unique(unique).sparse(sparse);
      if (expireAfterSeconds != null) {
        options.expireAfter(expireAfterSeconds, TimeUnit.SECONDS);
      }
      return options;
    }

    String describe() {
      return keys.toJson()
          + (unique ? " unique" : "")
          + (sparse ? " sparse" : "")
          + (expireAfterSeconds != null ? " expireAfterSeconds=" + expireAfterSeconds : "");
    }
  }

  private IndexSetup() {}

  /**
   * The indexes of a sessions collection.
   *
   * @param ttlGraceSeconds how long after expiry MongoDB's TTL monitor may delete a session
   * @return the indexes
   */
  static List<Wanted> wanted(long ttlGraceSeconds) {
    return List.of(
        new Wanted(PRINCIPAL_INDEX, keys(SessionDocuments.PRINCIPAL), false, true, null),
        new Wanted(
            IDLE_EXPIRY_INDEX, keys(SessionDocuments.IDLE_EXPIRY), false, false, ttlGraceSeconds),
        new Wanted(DEADLINE_INDEX, keys(SessionDocuments.DEADLINE), false, false, ttlGraceSeconds),
        new Wanted(TOMBSTONE_INDEX, keys(SessionDocuments.TOMBSTONE), false, true, null));
  }

  /**
   * Sets up the indexes of both collections as the settings say.
   *
   * @param sessions the sessions collection
   * @param claims the claims collection
   * @param settings the store's settings
   * @return completes when the indexes are in place and checked
   */
  static Mono<Void> ensure(
      MongoCollection<BsonDocument> sessions,
      MongoCollection<BsonDocument> claims,
      MongoSettings settings) {
    Mono<Void> create =
        settings.createIndexes()
            ? ensure(sessions, wanted(settings.ttlGraceSeconds()))
            : Mono.empty();
    Mono<Void> check =
        settings.forbidUniqueIndexes()
            ? noUniqueIndex(sessions).then(noUniqueIndex(claims))
            : Mono.empty();
    return create.then(check);
  }

  /** Fails naming the first unique index other than {@code _id}'s. */
  static Mono<Void> noUniqueIndex(MongoCollection<BsonDocument> collection) {
    return Flux.from(collection.listIndexes(BsonDocument.class))
        .filter(index -> flag(index, "unique") && !"_id_".equals(name(index)))
        .next()
        .flatMap(
            index ->
                Mono.<Void>error(
                    new IllegalStateException(
                        "index '"
                            + name(index)
                            + "' on collection '"
                            + collection.getNamespace().getCollectionName()
                            + "' is unique: "
                            + SessionDocuments.brief(index)
                            + ". With forbidUniqueIndexes the store runs in the"
                            + " layout of a collection sharded on _id, which cannot have unique secondary"
                            + " indexes; drop it.")));
  }

  /**
   * Checks existing indexes and creates the missing ones.
   *
   * @param collection the sessions collection
   * @param wanted the indexes
   * @return completes when every index is in place
   */
  static Mono<Void> ensure(MongoCollection<BsonDocument> collection, List<Wanted> wanted) {
    String where = "collection '" + collection.getNamespace().getCollectionName() + "'";
    return Flux.from(collection.listIndexes(BsonDocument.class))
        .collectList()
        .flatMap(
            existing -> {
              List<Wanted> missing = new ArrayList<>();
              for (Wanted w : wanted) {
                BsonDocument match = null;
                for (BsonDocument index : existing) {
                  boolean sameKeys =
                      sameKeys(index.getDocument("key", new BsonDocument()), w.keys());
                  boolean sameName = w.name().equals(name(index));
                  if (sameKeys && matches(index, w)) {
                    match = index;
                    break;
                  }
                  if (sameKeys || sameName) {
                    throw conflict(where, index, w);
                  }
                }
                if (match == null) {
                  missing.add(w);
                }
              }
              return Flux.fromIterable(missing)
                  .concatMap(
                      w ->
                          Mono.from(collection.createIndex(w.keys(), w.options()))
                              .onErrorMap(
                                  MongoCommandException.class,
                                  e ->
                                      isOptionsConflict(e)
                                          ? new IllegalStateException(
                                              "index '"
                                                  + w.name()
                                                  + "' on "
                                                  + where
                                                  + " conflicts with an existing index: "
                                                  + e.getErrorMessage()
                                                  + "; expected "
                                                  + w.describe(),
                                              e)
                                          : e))
                  .then();
            });
  }

  private static boolean isOptionsConflict(MongoCommandException e) {
    // IndexOptionsConflict, IndexKeySpecsConflict, IndexAlreadyExists with another name.
    return e.getErrorCode() == 85 || e.getErrorCode() == 86 || e.getErrorCode() == 68;
  }

  private static IllegalStateException conflict(String where, BsonDocument index, Wanted w) {
    return new IllegalStateException(
        "index '"
            + name(index)
            + "' on "
            + where
            + " exists with other keys or options than the session store needs: found "
            + SessionDocuments.brief(index)
            + ", expected '"
            + w.name()
            + "' "
            + w.describe()
            + ". Drop it (or change it with collMod) and restart, or open the store with createIndexes"
            + "=false and manage the indexes yourself.");
  }

  private static String name(BsonDocument index) {
    BsonValue name = index.get("name");
    return name != null && name.isString() ? name.asString().getValue() : "?";
  }

  private static boolean matches(BsonDocument index, Wanted w) {
    Long ttl =
        index.containsKey("expireAfterSeconds")
            ? (long) index.get("expireAfterSeconds").asNumber().doubleValue()
            : null;
    return flag(index, "unique") == w.unique()
        && flag(index, "sparse") == w.sparse()
        && Objects.equals(ttl, w.expireAfterSeconds())
        && !index.containsKey("partialFilterExpression");
  }

  private static boolean flag(BsonDocument index, String name) {
    BsonValue value = index.get(name);
    if (value == null) {
      return false;
    }
    return value.isBoolean()
        ? value.asBoolean().getValue()
        : value.isNumber() && value.asNumber().doubleValue() != 0;
  }

  private static boolean sameKeys(BsonDocument found, BsonDocument keys) {
    if (!found.keySet().equals(keys.keySet())) {
      return false;
    }
    List<String> a = new ArrayList<>(found.keySet());
    List<String> b = new ArrayList<>(keys.keySet());
    if (!a.equals(b)) {
      return false;
    }
    for (String key : a) {
      BsonValue x = found.get(key);
      BsonValue y = keys.get(key);
      if (x == null || y == null) {
        return false;
      }
      if (x.isNumber() && y.isNumber()) {
        if (x.asNumber().doubleValue() != y.asNumber().doubleValue()) {
          return false;
        }
      } else if (!x.equals(y)) {
        return false;
      }
    }
    return true;
  }

  private static BsonDocument keys(String field) {
    return new BsonDocument(field, new BsonInt32(1));
  }
}
