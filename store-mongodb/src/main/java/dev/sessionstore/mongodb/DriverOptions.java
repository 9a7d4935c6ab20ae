package dev.sessionstore.mongodb;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The connection-string options of the MongoDB Java driver, which a store URI passes through
 * (R9.1), and the redaction of driver messages about a URI.
 *
 * <p>The names are the driver's own list ({@code com.mongodb.ConnectionString}'s known keys in
 * driver 5.8, compared ignoring case as the driver does); a test reads the driver's list and fails
 * when it changes, so an upgrade of the driver cannot silently let a parameter through or refuse
 * one the driver documents. Stateless and thread-safe.
 */
final class DriverOptions {

  /** The driver's connection-string options, lower case. */
  static final Set<String> NAMES =
      new TreeSet<>(
          Set.of(
              "appname",
              "authmechanism",
              "authmechanismproperties",
              "authsource",
              "compressors",
              "connecttimeoutms",
              "directconnection",
              "gssapiservicename",
              "heartbeatfrequencyms",
              "journal",
              "loadbalanced",
              "localthresholdms",
              "maxconnecting",
              "maxidletimems",
              "maxlifetimems",
              "maxpoolsize",
              "maxstalenessseconds",
              "minpoolsize",
              "proxyhost",
              "proxypassword",
              "proxyport",
              "proxyusername",
              "readconcernlevel",
              "readpreference",
              "readpreferencetags",
              "replicaset",
              "retryreads",
              "retrywrites",
              "safe",
              "servermonitoringmode",
              "serverselectiontimeoutms",
              "sockettimeoutms",
              "srvmaxhosts",
              "srvservicename",
              "ssl",
              "sslinvalidhostnameallowed",
              "timeoutms",
              "tls",
              "tlsallowinvalidhostnames",
              "tlsinsecure",
              "uuidrepresentation",
              "w",
              "waitqueuetimeoutms",
              "wtimeoutms",
              "zlibcompressionlevel"));

  private DriverOptions() {}

  static boolean isDriverOption(String name) {
    return NAMES.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * A driver message about a connection string, with the URI's user information and the values of
   * {@code authMechanismProperties} and {@code proxyPassword} replaced by {@code ****}.
   */
  static String withoutSecrets(@Nullable String message, String uri) {
    if (message == null) {
      return "";
    }
    String out = message;
    int start = uri.indexOf("://");
    int query = uri.indexOf('?');
    int at = uri.lastIndexOf('@', query < 0 ? uri.length() - 1 : query - 1);
    if (start >= 0 && at > start + 3) {
      out = out.replace(uri.substring(start + 3, at), "****");
    }
    if (query >= 0) {
      for (String parameter : uri.substring(query + 1).split("&")) {
        int eq = parameter.indexOf('=');
        String name = eq < 0 ? parameter : parameter.substring(0, eq).toLowerCase(Locale.ROOT);
        if (eq > 0
            && eq + 1 < parameter.length()
            && (name.equals("authmechanismproperties") || name.contains("password"))) {
          out = out.replace(parameter.substring(eq + 1), "****");
        }
      }
    }
    return out;
  }
}
