package dev.sessionstore.tck;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The kit as {@link TckRunner} runs it: every store is opened through {@link SessionStores} from
 * the URI given on the command line, with the kit's options (and so its {@link TestClock}) set in
 * code.
 *
 * <p>A store opened by URI may keep its data across opens (an external database), so each store is
 * emptied right after opening: {@code clear()} destroys every live session, then {@code cleanup()}
 * runs with the test clock moved a thousand years ahead (so that every tombstone is past its grace
 * and every session expired) and the clock is set back. Point the runner at a scratch database: it
 * deletes every session there.
 */
class RunnerKit implements SessionStoreTck {

  private static final Duration EMPTYING_WAIT = Duration.ofSeconds(30);

  private static volatile String uri = "memory:";
  private static volatile int scale = 1;

  static void configure(String storeUri, int stressScale) {
    uri = storeUri;
    scale = stressScale;
  }

  @Override
  public SessionStore openStore(StoreOptions kitOptions) {
    SessionStore store = SessionStores.open(kitOptions.withUri(uri));
    try {
      empty(store, kitOptions.get(StoreOptions.CLOCK));
    } catch (RuntimeException | AssertionError e) {
      store.close();
      throw new AssertionError(
          "the runner could not empty the store after opening it (with clear() and "
              + "cleanup()): "
              + e,
          e);
    }
    return store;
  }

  private static void empty(SessionStore store, InstantSource clock) {
    Long live = store.count().block(EMPTYING_WAIT);
    if (live != null && live > 0) {
      store.clear().block(EMPTYING_WAIT);
    }
    if (clock instanceof TestClock) {
      TestClock testClock = (TestClock) clock;
      Instant now = testClock.instant();
      testClock.set(now.plus(Duration.ofDays(365L * 1000)));
      try {
        store.cleanup().block(EMPTYING_WAIT);
      } finally {
        testClock.set(now);
      }
    }
  }

  @Override
  public int stressScale() {
    return scale;
  }
}
