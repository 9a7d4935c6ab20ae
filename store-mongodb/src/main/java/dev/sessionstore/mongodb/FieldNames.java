package dev.sessionstore.mongodb;

/**
 * Escapes attribute names into MongoDB field names and back, at every depth of the data.
 *
 * <p>MongoDB field names cannot hold {@code \0}, and {@code .} and a leading {@code $} have
 * meanings in queries and updates (R6.2). Names are well-formed UTF-16 (the API refuses unpaired
 * surrogates, R6.1), so UTF-8 carries every other character as it is. The escape character is
 * {@code %}:
 *
 * <ul>
 *   <li>{@code %} becomes {@code %25}, {@code .} becomes {@code %2E}, {@code $} becomes {@code %24}
 *       and {@code \0} becomes {@code %00};
 *   <li>the empty name becomes the single character {@code %} (no other name escapes to it);
 *   <li>every other character is kept.
 * </ul>
 *
 * <p>Because the escape character itself is always escaped, every {@code %} in an escaped name
 * starts one of these sequences, so {@link #unescape(String)} inverts {@link #escape(String)}
 * exactly for every Java string; it rejects anything {@code escape} cannot produce. Stateless and
 * thread-safe.
 */
final class FieldNames {

  private static final char ESCAPE = '%';

  private FieldNames() {}

  /**
   * Escapes an attribute name.
   *
   * @param name any string
   * @return a field name without {@code .}, {@code $} or {@code \0}
   */
  static String escape(String name) {
    if (name.isEmpty()) {
      return String.valueOf(ESCAPE);
    }
    if (isPlain(name)) {
      return name;
    }
    StringBuilder out = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      switch (c) {
        case '%' -> out.append("%25");
        case '.' -> out.append("%2E");
        case '$' -> out.append("%24");
        case '\0' -> out.append("%00");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Reverses {@link #escape(String)}.
   *
   * @param field a field name produced by {@code escape}
   * @return the attribute name
   * @throws IllegalArgumentException if {@code escape} cannot have produced the field name
   */
  static String unescape(String field) {
    if (field.isEmpty()) {
      throw malformed(field, -1);
    }
    if (isPlain(field)) {
      return field;
    }
    if (field.length() == 1 && field.charAt(0) == ESCAPE) {
      return "";
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c != ESCAPE) {
        out.append(c);
        continue;
      }
      int code = hex(field, i + 1, 2);
      switch (code) {
        case 0x25 -> out.append('%');
        case 0x2E -> out.append('.');
        case 0x24 -> out.append('$');
        case 0x00 -> out.append('\0');
        default -> throw malformed(field, i);
      }
      i += 2;
    }
    String name = out.toString();
    // Rejects what escape never writes, such as a needlessly escaped character.
    if (!escape(name).equals(field)) {
      throw malformed(field, -1);
    }
    return name;
  }

  private static boolean isPlain(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '%' || c == '.' || c == '$' || c == '\0') {
        return false;
      }
    }
    return true;
  }

  private static int hex(String s, int from, int digits) {
    if (from + digits > s.length()) {
      return -1;
    }
    int value = 0;
    for (int i = from; i < from + digits; i++) {
      char c = s.charAt(i);
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) {
        return -1;
      }
      value = value * 16 + d;
    }
    return value;
  }

  private static IllegalArgumentException malformed(String field, int index) {
    return new IllegalArgumentException(
        "stored field name is not an escaped attribute name"
            + (index >= 0 ? " (bad escape at index " + index + ")" : "")
            + ": "
            + field.length()
            + " characters");
  }
}
