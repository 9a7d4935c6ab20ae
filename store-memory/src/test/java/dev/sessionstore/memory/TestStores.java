package dev.sessionstore.memory;

import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.TestClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The memory stores a test opens on one frozen {@link TestClock}, closed together afterwards. */
final class TestStores implements AutoCloseable {

  final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final List<MemorySessionStore> opened = new ArrayList<>();

  MemorySessionStore open(String uri) {
    return track(MemorySessionStore.open(StoreOptions.parse(uri).with(StoreOptions.CLOCK, clock)));
  }

  /** Closes a store opened otherwise (for example on the system clock) with the others. */
  MemorySessionStore track(MemorySessionStore store) {
    opened.add(store);
    return store;
  }

  @Override
  public void close() {
    opened.forEach(MemorySessionStore::close);
  }
}
