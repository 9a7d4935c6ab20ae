package dev.sessionstore;

import dev.sessionstore.spi.SessionStoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Opens stores by URI, using the {@link SessionStoreProvider providers} found with {@link
 * ServiceLoader}: put a store's jar on the class path (or module path) and its scheme works.
 *
 * <pre>{@code
 * try (SessionStore store = SessionStores.open("memory:?maxSessions=100000")) { … }
 * }</pre>
 */
public final class SessionStores {

  /** The environment variable {@link #open()} reads. */
  public static final String URI_ENVIRONMENT_VARIABLE = "SESSIONSTORE_URI";

  /** The system property {@link #open()} reads; it wins over the environment variable. */
  public static final String URI_SYSTEM_PROPERTY = "sessionstore.uri";

  /** The URI {@link #open()} uses when neither is set. */
  public static final String DEFAULT_URI = "memory:";

  private SessionStores() {}

  /**
   * Opens the store named by the system property {@value #URI_SYSTEM_PROPERTY}, else the
   * environment variable {@value #URI_ENVIRONMENT_VARIABLE}, else {@value #DEFAULT_URI}.
   *
   * @return a new, open store
   * @throws IllegalArgumentException if the URI is invalid or no provider serves its scheme
   */
  public static SessionStore open() {
    return open(configuredUri());
  }

  /**
   * Opens the store a URI names.
   *
   * @param uri the store URI, such as {@code memory:} or {@code mongodb://host/app}
   * @return a new, open store
   * @throws IllegalArgumentException if the URI is invalid or no provider serves its scheme; the
   *     message lists the installed schemes
   */
  public static SessionStore open(String uri) {
    return open(StoreOptions.parse(uri));
  }

  /**
   * Opens a store with options, for example a URI plus a clock set in code.
   *
   * @param options the options; their scheme selects the provider
   * @return a new, open store
   * @throws IllegalArgumentException if no provider serves the scheme or an option is invalid
   */
  public static SessionStore open(StoreOptions options) {
    return provider(options.scheme()).open(options);
  }

  /**
   * Finds the provider of a scheme.
   *
   * @param scheme the scheme, in any case
   * @return the provider
   * @throws IllegalArgumentException if none or more than one provider serves it
   */
  public static SessionStoreProvider provider(String scheme) {
    String wanted = scheme.toLowerCase(java.util.Locale.ROOT);
    Map<String, List<SessionStoreProvider>> providers = providersByScheme();
    List<SessionStoreProvider> matches = providers.get(wanted);
    if (matches == null) {
      throw new IllegalArgumentException(
          "no session store provider serves scheme '"
              + wanted
              + "'; installed schemes: "
              + (providers.isEmpty() ? "none" : String.join(", ", providers.keySet()))
              + ". Add the store's jar (for example store-memory or store-mongodb) to the class path.");
    }
    if (matches.size() > 1) {
      List<String> names = new ArrayList<>();
      for (SessionStoreProvider provider : matches) {
        names.add(provider.getClass().getName());
      }
      throw new IllegalArgumentException(
          "several session store providers serve scheme '" + wanted + "': " + names);
    }
    return matches.get(0);
  }

  /**
   * Lists the schemes of every installed provider.
   *
   * @return the schemes, sorted
   */
  public static Set<String> schemes() {
    return providersByScheme().keySet();
  }

  static String configuredUri() {
    String property = System.getProperty(URI_SYSTEM_PROPERTY);
    if (property != null && !property.isBlank()) {
      return property;
    }
    String variable = System.getenv(URI_ENVIRONMENT_VARIABLE);
    if (variable != null && !variable.isBlank()) {
      return variable;
    }
    return DEFAULT_URI;
  }

  private static Map<String, List<SessionStoreProvider>> providersByScheme() {
    Map<String, List<SessionStoreProvider>> byScheme = new TreeMap<>();
    for (SessionStoreProvider provider : load()) {
      for (String scheme : provider.schemes()) {
        byScheme
            .computeIfAbsent(scheme.toLowerCase(java.util.Locale.ROOT), s -> new ArrayList<>())
            .add(provider);
      }
    }
    return byScheme;
  }

  private static List<SessionStoreProvider> load() {
    List<SessionStoreProvider> found = new ArrayList<>();
    Set<Class<?>> seen = new java.util.HashSet<>();
    for (ClassLoader loader : loaders()) {
      try {
        for (SessionStoreProvider provider :
            ServiceLoader.load(SessionStoreProvider.class, loader)) {
          if (seen.add(provider.getClass())) {
            found.add(provider);
          }
        }
      } catch (ServiceConfigurationError e) {
        throw new IllegalStateException(
            "a session store provider could not be loaded: " + e.getMessage(), e);
      }
    }
    return found;
  }

  private static List<@Nullable ClassLoader> loaders() {
    List<@Nullable ClassLoader> loaders = new ArrayList<>(2);
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      loaders.add(context);
    }
    ClassLoader own = SessionStores.class.getClassLoader();
    if (own != context) {
      loaders.add(own);
    }
    return loaders;
  }
}
