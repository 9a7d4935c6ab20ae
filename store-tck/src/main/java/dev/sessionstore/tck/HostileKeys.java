package dev.sessionstore.tck;

import dev.sessionstore.SessionData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Attribute names that break naive encodings: separators and operators of document stores, NUL, the
 * empty string, non-ASCII text, and strings that look like the escape sequences a store might use
 * for them (so that an escaping scheme that is not reversible is caught). Every atom appears alone,
 * repeated, framed by letters, and in every ordered pair with every other atom.
 */
final class HostileKeys {

  /** The atoms. Only well-formed Unicode: an unpaired surrogate is not text any encoding keeps. */
  static final List<String> ATOMS =
      List.of(
          ".",
          "$",
          "\0",
          "",
          "é",
          "日本",
          "😀",
          "\\u002e",
          "\\u0024",
          "\\.",
          "\\$",
          "\\",
          "%2E",
          "%24",
          "%",
          "~d",
          "~s",
          "~",
          "_",
          "__proto__",
          "$set",
          " ",
          "\n",
          "\"",
          "'",
          "[0]",
          "/",
          "\uFFFF",
          // Look-alikes of the characters stores escape, which an escaping scheme might use or fold
          // back:
          "\uFF0E",
          "\uFF04",
          "\u2024",
          "\uFE52",
          "\uFE69",
          "\u3002",
          "\uFF3C",
          "\uFF05",
          "\u00B7");

  /**
   * Each character a store is likely to escape, with look-alikes that must stay distinct from it.
   */
  static final Map<String, List<String>> LOOK_ALIKES =
      Map.of(
          ".", List.of("\uFF0E", "\u2024", "\uFE52", "\u3002", "\u00B7", "\u2E31"),
          "$", List.of("\uFF04", "\uFE69", "\uD83D\uDCB2"),
          "\\", List.of("\uFF3C", "\u2216", "\uFE68"),
          "%", List.of("\uFF05", "\uFE6A"),
          "\0", List.of("\u2400", "\uFFFD"));

  private HostileKeys() {}

  /** Every atom alone and repeated two and three times. */
  static Set<String> singles() {
    Set<String> keys = new LinkedHashSet<>();
    for (String atom : ATOMS) {
      keys.add(atom);
      keys.add(atom + atom);
      keys.add(atom + atom + atom);
      keys.add("a" + atom + "b");
    }
    return keys;
  }

  /** Every single key plus every ordered pair of distinct atoms. */
  static Set<String> all() {
    Set<String> keys = new LinkedHashSet<>(singles());
    for (String first : ATOMS) {
      for (String second : ATOMS) {
        if (!first.equals(second)) {
          keys.add(first + second);
        }
      }
    }
    return keys;
  }

  /**
   * A map from every key of a set to a distinct number, so that a collision shows as a lost value.
   */
  static Map<String, Object> numbered(Set<String> keys, long base) {
    Map<String, Object> map = new LinkedHashMap<>();
    long i = base;
    for (String key : keys) {
      map.put(key, i++);
    }
    return map;
  }

  /**
   * A chain of maps {@code depth} containers deep; each level holds every single hostile key and
   * the next level under a hostile key of its own.
   */
  static Map<String, Object> chain(int depth) {
    Map<String, Object> level = numbered(singles(), depth * 1000L);
    if (depth > 1) {
      level.put(childKey(depth), chain(depth - 1));
    }
    return level;
  }

  /** The key under which level {@code depth} of a {@link #chain(int)} holds the next level. */
  static String childKey(int depth) {
    return ATOMS.get(depth % ATOMS.size()) + "child" + ATOMS.get((depth + 7) % ATOMS.size());
  }

  /** A list nested {@code depth} lists deep, holding a map of hostile keys at the bottom. */
  static Object nestedList(int depth) {
    Object value = numbered(singles(), 0);
    for (int i = 1; i < depth; i++) {
      List<Object> list = new ArrayList<>();
      list.add(value);
      list.add((long) i);
      value = list;
    }
    return value;
  }

  /**
   * Keys that differ only by a character and its look-alikes, alone, framed and at both ends, each
   * mapped to a distinct number (so a collision shows as a lost or changed value).
   */
  static Map<String, Object> lookAlikes() {
    Set<String> keys = new LinkedHashSet<>();
    for (Map.Entry<String, List<String>> e : new java.util.TreeMap<>(LOOK_ALIKES).entrySet()) {
      List<String> family = new ArrayList<>();
      family.add(e.getKey());
      family.addAll(e.getValue());
      for (String c : family) {
        keys.add(c);
        keys.add("a" + c + "b");
        keys.add(c + "x");
        keys.add("x" + c);
        keys.add(c + c);
      }
    }
    return numbered(keys, 5000);
  }

  /** Session data whose attribute names are all hostile keys and pairs. */
  static SessionData asAttributeNames() {
    return SessionData.of(numbered(all(), 0));
  }

  /**
   * A key for a message: quoted, with control characters, surrogates and non-ASCII shown as
   * escapes.
   */
  static String escaped(String key) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format(java.util.Locale.ROOT, "\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
