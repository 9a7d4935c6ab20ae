package dev.sessionstore.spi;

import dev.sessionstore.StoreOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed store URI as a provider sees it: the scheme, the decoded query parameters, and the URI
 * without some parameters (to hand a backend's client only the parameters it knows). Users never
 * need it; they give a URI to {@link StoreOptions#parse(String)}. Immutable and thread-safe.
 */
public final class StoreUri {

  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
  private static final Set<String> SENSITIVE_NAMES =
      Set.of("password", "pass", "pwd", "secret", "token", "apikey", "api_key", "credentials");

  private final String uri;
  private final String scheme;
  private final String beforeQuery;
  private final List<Parameter> parameters;

  /** One {@code name=value} segment of the query, as written and decoded. */
  private record Parameter(String raw, String name, String value) {}

  private StoreUri(String uri, String scheme, String beforeQuery, List<Parameter> parameters) {
    this.uri = uri;
    this.scheme = scheme;
    this.beforeQuery = beforeQuery;
    this.parameters = parameters;
  }

  /**
   * Parses a store URI.
   *
   * @param uri the URI, such as {@code memory:} or {@code mongodb://host/app?collection=sessions}
   * @return the parsed URI
   * @throws IllegalArgumentException naming the problem, if the URI is null or empty, has no
   *     scheme, has a fragment, a space or control character, or a malformed parameter
   */
  public static StoreUri parse(@Nullable String uri) {
    if (uri == null) {
      throw new IllegalArgumentException("store URI is null");
    }
    String trimmed = uri.strip();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("store URI is empty; expected for example 'memory:'");
    }
    int colon = trimmed.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "store URI '"
              + redact(trimmed)
              + "' has no scheme; expected for example 'memory:' or 'mongodb://host/database'");
    }
    String scheme = trimmed.substring(0, colon);
    if (!SCHEME.matcher(scheme).matches()) {
      throw new IllegalArgumentException(
          "store URI '"
              + redact(trimmed)
              + "' has an invalid scheme '"
              + scheme
              + "'; a scheme is a letter followed by letters, digits, '+', '-' or '.'");
    }
    if (trimmed.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "store URI '" + redact(trimmed) + "' has a fragment ('#'); stores take no fragment");
    }
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        throw new IllegalArgumentException(
            "store URI '"
                + redact(trimmed)
                + "' contains a space or control character at index "
                + i
                + "; percent-encode it");
      }
    }
    int question = trimmed.indexOf('?', Math.max(userInfoEnd(trimmed), 0));
    String beforeQuery = question < 0 ? trimmed : trimmed.substring(0, question);
    List<Parameter> parameters = new ArrayList<>();
    if (question >= 0) {
      for (String segment : trimmed.substring(question + 1).split("&", -1)) {
        if (segment.isEmpty()) {
          continue;
        }
        int eq = segment.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "store URI parameter '" + segment + "' is not of the form name=value");
        }
        String name = percentDecode(segment.substring(0, eq), segment);
        String value = percentDecode(segment.substring(eq + 1), segment.substring(0, eq) + "=…");
        parameters.add(new Parameter(segment, name, value));
      }
    }
    return new StoreUri(
        trimmed,
        scheme.toLowerCase(Locale.ROOT),
        beforeQuery,
        Collections.unmodifiableList(parameters));
  }

  /**
   * Parses the URI of options.
   *
   * @param options the options
   * @return their parsed URI
   */
  public static StoreUri of(StoreOptions options) {
    return parse(options.uri());
  }

  /**
   * @return the scheme, in lower case, such as {@code memory} or {@code mongodb+srv}
   */
  public String scheme() {
    return scheme;
  }

  /**
   * Returns the URI as given. It may contain a password: never log it; log {@link #toString()}.
   *
   * @return the URI
   */
  public String uri() {
    return uri;
  }

  /**
   * Returns a decoded parameter.
   *
   * @param name the parameter name, matched without regard to case
   * @return its value, or {@code null} if absent
   * @throws IllegalArgumentException if it is given more than once
   */
  public @Nullable String parameter(String name) {
    String found = null;
    for (Parameter parameter : parameters) {
      if (parameter.name().equalsIgnoreCase(name)) {
        if (found != null) {
          throw new IllegalArgumentException("option " + name + " is given twice in the store URI");
        }
        found = parameter.value();
      }
    }
    return found;
  }

  /**
   * @return the decoded parameter names, in order, repeated ones as often as given
   */
  public List<String> parameterNames() {
    List<String> names = new ArrayList<>(parameters.size());
    for (Parameter parameter : parameters) {
      names.add(parameter.name());
    }
    return names;
  }

  /**
   * Returns the URI without the named parameters (matched without regard to case), for example to
   * hand a driver only the parameters it knows. Other parameters are kept exactly as written.
   *
   * @param names the parameter names to drop
   * @return the URI without them; it may contain a password
   */
  public String without(Collection<String> names) {
    Set<String> drop = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    drop.addAll(names);
    StringBuilder out = new StringBuilder(beforeQuery);
    char separator = '?';
    for (Parameter parameter : parameters) {
      if (!drop.contains(parameter.name())) {
        out.append(separator).append(parameter.raw());
        separator = '&';
      }
    }
    return out.toString();
  }

  /**
   * Returns the URI with its password and sensitive parameter values shown as {@code ****}.
   *
   * @param sensitive further parameter names whose values are secret
   * @return the URI, safe to log
   */
  public String redacted(Collection<String> sensitive) {
    Set<String> secret = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    secret.addAll(sensitive);
    StringBuilder out = new StringBuilder(redact(beforeQuery));
    char separator = '?';
    for (Parameter parameter : parameters) {
      out.append(separator).append(parameter.name()).append('=');
      out.append(
          secret.contains(parameter.name()) || isSensitiveName(parameter.name())
              ? "****"
              : parameter.value());
      separator = '&';
    }
    return out.toString();
  }

  /**
   * @return the URI with its password and sensitive parameters shown as {@code ****}
   */
  @Override
  public String toString() {
    return redacted(List.of());
  }

  private static boolean isSensitiveName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return SENSITIVE_NAMES.contains(lower)
        || lower.contains("password")
        || lower.contains("secret")
        || lower.contains("token")
        || lower.equals("authmechanismproperties");
  }

  /**
   * Finds the {@code @} that ends the user information of {@code scheme://user:password@host…}: the
   * last one that is followed by a host list (no {@code ?}, {@code =} or {@code &} before the next
   * {@code /}), so that a password with an unencoded {@code /}, {@code ?} or {@code @} stays inside
   * the user information.
   *
   * @return its index, or -1 if the URI has no user information
   */
  private static int userInfoEnd(String uri) {
    int authorityStart = uri.indexOf("//");
    if (authorityStart < 0) {
      return -1;
    }
    for (int at = uri.lastIndexOf('@'); at > authorityStart; at = uri.lastIndexOf('@', at - 1)) {
      int slash = uri.indexOf('/', at);
      String hosts = uri.substring(at + 1, slash < 0 ? uri.length() : slash);
      if (hosts.indexOf('?') < 0 && hosts.indexOf('=') < 0 && hosts.indexOf('&') < 0) {
        return at;
      }
    }
    return -1;
  }

  /** Replaces the password in {@code scheme://user:password@host} with {@code ****}. */
  private static String redact(String uri) {
    int at = userInfoEnd(uri);
    if (at < 0) {
      return uri;
    }
    int colon = uri.indexOf(':', uri.indexOf("//") + 2);
    if (colon < 0 || colon > at) {
      return uri;
    }
    return uri.substring(0, colon + 1) + "****" + uri.substring(at);
  }

  private static String percentDecode(String s, String context) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException(
              "store URI parameter '" + context + "' has a malformed percent-escape at index " + i);
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c == '+') {
        out.write(' ');
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
