package dev.sessionstore.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Named results of a measurement program, written as {@code key=value} lines that {@link Report}
 * reads back. Not thread-safe.
 */
final class Results {

  private final Path file;
  private final Map<String, String> values = new LinkedHashMap<>();

  Results(String file) {
    this.file = file == null ? null : Path.of(file);
  }

  void put(String key, double value) {
    values.put(key, String.format(Locale.ROOT, "%.1f", value));
  }

  void put(String key, String value) {
    values.put(key, value.replace('\n', ' '));
  }

  void write() throws IOException {
    if (file == null) {
      return;
    }
    StringBuilder text = new StringBuilder();
    values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  static Map<String, String> read(Path file) throws IOException {
    Map<String, String> map = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return map;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        map.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return map;
  }
}
