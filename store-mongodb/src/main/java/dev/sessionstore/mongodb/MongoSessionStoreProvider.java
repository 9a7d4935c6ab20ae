package dev.sessionstore.mongodb;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoDriverInformation;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.spi.SessionStoreProvider;
import dev.sessionstore.spi.StoreSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Opens a {@link MongoSessionStore} from a {@code mongodb://} or {@code mongodb+srv://} store URI,
 * such as {@code mongodb://user:secret@db1,db2/app?replicaSet=rs0&collection=sessions&maxIdle=20m}.
 *
 * <p>The database is the URI's path and is required. The store's own parameters ({@code
 * collection}, {@code claimsCollection}, {@code maxIdle}, {@code touchThreshold}, {@code
 * tombstoneGrace}, {@code maxSessionBytes}, {@code timeout}, {@code cleanupInterval}, {@code
 * createIndexes}, {@code forbidUniqueIndexes}, {@code ttlGrace}, {@code sweepInterval}, {@code
 * eventBuffer}, {@code updateAttempts}) are removed before the rest of the URI goes to the MongoDB
 * driver. The driver's own connection-string options ({@code replicaSet}, {@code authSource},
 * {@code tls}, …, exactly the list the driver documents, any case) pass through; any other
 * parameter fails the open naming it (R9.1), so a typo such as {@code maxIdel} is not silently
 * ignored. Unless the URI sets them, the driver's server selection, connect and read timeouts
 * follow the store's {@code timeout}. The store owns the client it creates and closes it on {@link
 * SessionStore#close()}.
 *
 * <p>Stateless and thread-safe.
 */
public final class MongoSessionStoreProvider implements SessionStoreProvider {

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public MongoSessionStoreProvider() {}

  @Override
  public String scheme() {
    return "mongodb";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("mongodb", "mongodb+srv");
  }

  /**
   * Opens a store on the database and collection the URI names.
   *
   * @param options the store URI and typed options
   * @return the open store
   * @throws IllegalArgumentException naming the problem, if the URI or an option is invalid or the
   *     URI names no database
   * @throws IllegalStateException naming the index, if an existing index conflicts
   * @throws dev.sessionstore.StoreUnavailableException if MongoDB cannot be reached to set up the
   *     indexes
   */
  @Override
  public SessionStore open(StoreOptions options) {
    StoreSettings common = MongoSettings.READER.read(options);
    String connectionUri = common.clientUri();
    ConnectionString connection;
    try {
      connection = new ConnectionString(connectionUri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "store URI "
              + common.uri()
              + " is not a valid MongoDB"
              + " connection string: "
              + DriverOptions.withoutSecrets(e.getMessage(), connectionUri),
          null);
    }
    String database = connection.getDatabase();
    if (database == null || database.isEmpty()) {
      throw new IllegalArgumentException(
          "store URI "
              + common.uri()
              + " names no database; write it"
              + " as the URI's path, as in mongodb://host/app?collection=sessions");
    }
    StoreOptions storeOptions = options;
    String pathCollection = connection.getCollection();
    if (pathCollection != null) {
      String parameter = common.uri().parameter(MongoSessionStore.COLLECTION.name());
      if (parameter != null && !parameter.equals(pathCollection)) {
        throw new IllegalArgumentException(
            "store URI "
                + common.uri()
                + " names two collections: '"
                + pathCollection
                + "' in its path and '"
                + parameter
                + "' as a parameter");
      }
      storeOptions =
          parameter == null
                  && Objects.equals(
                      options.get(MongoSessionStore.COLLECTION),
                      MongoSessionStore.COLLECTION.defaultValue())
              ? options.with(MongoSessionStore.COLLECTION, pathCollection)
              : options;
    }
    Duration timeout = common.timeout();
    int millis = (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE);
    MongoClientSettings settings =
        MongoClientSettings.builder()
            .applyConnectionString(connection)
            .applyToClusterSettings(
                b -> {
                  if (connection.getServerSelectionTimeout() == null) {
                    b.serverSelectionTimeout(millis, TimeUnit.MILLISECONDS);
                  }
                })
            .applyToSocketSettings(
                b -> {
                  if (connection.getConnectTimeout() == null) {
                    b.connectTimeout(millis, TimeUnit.MILLISECONDS);
                  }
                  if (connection.getSocketTimeout() == null) {
                    b.readTimeout(millis, TimeUnit.MILLISECONDS);
                  }
                })
            .build();
    MongoClient client =
        MongoClients.create(
            settings, MongoDriverInformation.builder().driverName("sessionstore").build());
    try {
      return MongoSessionStore.builder(client, database).options(storeOptions).ownsClient().build();
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }
}
