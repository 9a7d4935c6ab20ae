package dev.sessionstore.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Heap readings for the scale measurements. Stateless; call from one thread at a time. */
final class Heap {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private Heap() {}

  /**
   * @return used heap bytes right now, garbage included
   */
  static long used() {
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  /**
   * Collects garbage until the used heap stops shrinking, then reads it.
   *
   * @return used heap bytes after full collections (live data plus allocator slack)
   */
  static long usedAfterGc() {
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long used = used();
      if (used >= previous - 64 * 1024 && i >= 2) {
        return Math.min(used, previous);
      }
      previous = Math.min(previous, used);
    }
    return previous;
  }

  /**
   * Formats a byte count.
   *
   * @param bytes the count
   * @return it in MiB with one decimal
   */
  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
