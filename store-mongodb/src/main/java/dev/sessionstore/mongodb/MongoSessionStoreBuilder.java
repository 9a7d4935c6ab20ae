package dev.sessionstore.mongodb;

import com.mongodb.MongoClientSettings;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ServerDescription;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.StoreOptions.Option;
import java.util.Objects;
import org.bson.BsonDocument;
import org.jspecify.annotations.Nullable;

/**
 * Configures and opens a {@link MongoSessionStore}; get one from {@link
 * MongoSessionStore#builder(MongoClient, String)}. Not thread-safe.
 */
public final class MongoSessionStoreBuilder {

  private final MongoDatabase database;
  private final @Nullable MongoClient client;
  private boolean ownsClient;
  private StoreOptions options = StoreOptions.parse("mongodb:");

  MongoSessionStoreBuilder(
      MongoDatabase database, @Nullable MongoClient client, boolean ownsClient) {
    this.database = database;
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /**
   * Sets the collection that holds the sessions (default {@code sessions}).
   *
   * @param name the collection name
   * @return this builder
   */
  public MongoSessionStoreBuilder collection(String name) {
    return option(MongoSessionStore.COLLECTION, Objects.requireNonNull(name, "name"));
  }

  /**
   * Sets one option, such as {@link StoreOptions#MAX_IDLE} or {@link
   * MongoSessionStore#CREATE_INDEXES}.
   *
   * @param <T> the option's type
   * @param option the option
   * @param value the value; {@code null} where the option allows "none"
   * @return this builder
   */
  public <T> MongoSessionStoreBuilder option(Option<T> option, @Nullable T value) {
    options = options.with(option, value);
    return this;
  }

  /**
   * Replaces every option with the given ones (their URI parameters included); later calls to
   * {@link #option} and {@link #collection} add to them.
   *
   * @param options the options
   * @return this builder
   */
  public MongoSessionStoreBuilder options(StoreOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    return this;
  }

  /** The store closes the client (the provider's own client). */
  MongoSessionStoreBuilder ownsClient() {
    this.ownsClient = true;
    return this;
  }

  /**
   * Opens the store: checks the options, creates or checks the indexes of both collections (unless
   * {@link MongoSessionStore#CREATE_INDEXES} is false; this waits for MongoDB up to the {@link
   * StoreOptions#TIMEOUT}), and starts the background cleanup.
   *
   * @return the open store
   * @throws IllegalArgumentException naming the problem, if an option is invalid
   * @throws IllegalStateException naming the index, if an existing index conflicts
   * @throws dev.sessionstore.StoreUnavailableException naming the hosts and the cause, if MongoDB
   *     cannot be reached to set up the indexes
   */
  public MongoSessionStore build() {
    MongoSettings settings = MongoSettings.read(options);
    MongoCollection<BsonDocument> sessions = open(settings.collection());
    MongoCollection<BsonDocument> claims = open(settings.claimsCollection());
    Failures failures = new Failures(backend(), this::lastServerError);
    SessionCollection sessionCollection = new SessionCollection(sessions);
    StoreContext ctx =
        new StoreContext(
            sessionCollection, new ExclusiveClaims(claims, sessionCollection), settings);
    MongoSessionStore store = new MongoSessionStore(ctx, failures, ownsClient ? client : null);
    try {
      // A handful of commands: each may take up to the timeout (an unreachable server is still
      // detected within the timeout, by the driver's server selection).
      IndexSetup.ensure(sessions, claims, settings)
          .timeout(settings.timeout().multipliedBy(IndexSetup.COMMANDS))
          .onErrorMap(e -> failures.map("setting up the indexes of " + sessions.getNamespace(), e))
          .block();
      store.start();
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private MongoCollection<BsonDocument> open(String name) {
    MongoCollection<BsonDocument> configured =
        database
            .getCollection(name, BsonDocument.class)
            .withCodecRegistry(MongoClientSettings.getDefaultCodecRegistry())
            .withReadPreference(ReadPreference.primary());
    // Conditional writes need their answers; an unacknowledged write concern cannot give one.
    return configured.getWriteConcern().isAcknowledged()
        ? configured
        : configured.withWriteConcern(WriteConcern.ACKNOWLEDGED);
  }

  /** The hosts, for messages; the client's settings hold no credentials there. */
  private String backend() {
    if (client == null) {
      return "MongoDB";
    }
    return "MongoDB at " + client.getClusterDescription().getClusterSettings().getHosts();
  }

  private @Nullable Throwable lastServerError() {
    if (client == null) {
      return null;
    }
    ClusterDescription cluster = client.getClusterDescription();
    if (cluster.getSrvResolutionException() != null) {
      return cluster.getSrvResolutionException();
    }
    for (ServerDescription server : cluster.getServerDescriptions()) {
      if (server.getException() != null) {
        return server.getException();
      }
    }
    return null;
  }
}
