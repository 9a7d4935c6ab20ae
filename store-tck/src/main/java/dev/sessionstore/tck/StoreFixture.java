package dev.sessionstore.tck;

import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * What one kit test works with: the {@link TestClock}, the kit options and the stores opened for
 * the test through {@link SessionStoreTck#openStore(StoreOptions)}. The kit hands a fresh fixture
 * to every test method and, after the test, closes every store the fixture opened and restores a
 * backend the test cut.
 *
 * <p>The kit options are {@code StoreOptions.parse("tck:")} with, set in code, {@link
 * StoreOptions#CLOCK} (this fixture's {@link TestClock}, which starts one day ahead of the system
 * clock so that a backend's own real-time expiry, such as a MongoDB TTL index, never removes a kit
 * session early), {@link StoreOptions#SCHEDULER} (this fixture's {@linkplain #scheduler()
 * virtual-time scheduler}: a store's periodic work runs only when a test advances it) and {@link
 * StoreOptions#CLEANUP_INTERVAL} of one day (so that a store's own cleanup never runs in the middle
 * of a test; the test of the schedule itself sets a short one), and then the options of the test's
 * {@link #configuration()}. Tests may add further options such as {@link
 * StoreOptions#TOMBSTONE_GRACE} or {@link StoreOptions#MAX_SESSION_BYTES}.
 *
 * <p>Not thread-safe: it belongs to one test method, which may share the stores it returns with
 * other threads.
 */
public final class StoreFixture {

  private final SessionStoreTck kit;
  private final KitConfiguration configuration;
  private final TestClock clock;
  private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
  private final StoreOptions options;
  private final List<SessionStore> opened = new ArrayList<>();
  private @Nullable SessionStore store;
  private boolean backendCut;

  StoreFixture(SessionStoreTck kit, KitConfiguration configuration) {
    this.kit = Objects.requireNonNull(kit, "kit");
    this.configuration = Objects.requireNonNull(configuration, "configuration");
    this.clock =
        new TestClock(Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS));
    this.options =
        configuration.apply(
            StoreOptions.parse("tck:")
                .with(StoreOptions.CLOCK, clock)
                .with(StoreOptions.SCHEDULER, scheduler)
                .with(StoreOptions.CLEANUP_INTERVAL, Duration.ofDays(1)));
  }

  /**
   * Returns the configuration this run of the test uses (SPEC R9.2).
   *
   * @return the configuration, one of {@link SessionStoreTck#configurations()}
   */
  public KitConfiguration configuration() {
    return configuration;
  }

  /**
   * Returns the virtual-time scheduler every store of this test gets as {@link
   * StoreOptions#SCHEDULER}. Its time stands still unless a test advances it, independently of the
   * {@link #clock()}.
   *
   * @return the scheduler
   */
  public VirtualTimeScheduler scheduler() {
    return scheduler;
  }

  /**
   * Returns the touch threshold the stores of this test use unless a test sets its own: the
   * configuration's, else the option's default.
   *
   * @return the touch threshold
   */
  public Duration touchThreshold() {
    Duration threshold = options.get(StoreOptions.TOUCH_THRESHOLD);
    return threshold == null ? Duration.ZERO : threshold;
  }

  /**
   * Returns the clock every store of this test reads.
   *
   * @return the test clock
   */
  public TestClock clock() {
    return clock;
  }

  /**
   * Returns the options the kit passes to {@link SessionStoreTck#openStore(StoreOptions)}.
   *
   * @return the base kit options of this test
   */
  public StoreOptions options() {
    return options;
  }

  /**
   * Returns the store of this test, opening it with the {@linkplain #options() kit options} on the
   * first call.
   *
   * @return the store under test
   */
  public SessionStore store() {
    SessionStore current = store;
    return current != null ? current : open(UnaryOperator.identity());
  }

  /**
   * Opens a fresh store with the kit options changed by {@code customise}; it becomes this test's
   * {@link #store()} if none was opened before. It is closed after the test.
   *
   * @param customise adds options, for example {@code o -> o.with(StoreOptions.MAX_SESSION_BYTES,
   *     16384L)}
   * @return the new store
   * @throws AssertionError if {@link SessionStoreTck#openStore(StoreOptions)} returns null
   */
  public SessionStore open(UnaryOperator<StoreOptions> customise) {
    SessionStore opened = kit.openStore(customise.apply(options));
    if (opened == null) {
      throw new AssertionError(
          "openStore(kitOptions) returned null; it must return a fresh, empty store");
    }
    this.opened.add(opened);
    if (store == null) {
      store = opened;
    }
    return opened;
  }

  /**
   * Returns the implementer's backend hook.
   *
   * @return the hook, or {@code null} if the store has none
   */
  public @Nullable BackendControl backendControl() {
    return kit.backendControl();
  }

  /**
   * Cuts the backend through the implementer's hook; it is restored after the test at the latest.
   *
   * @throws IllegalStateException if there is no hook (tests check first and skip)
   */
  public void cutBackend() {
    BackendControl control = requireBackendControl();
    backendCut = true;
    control.cut();
  }

  /**
   * Restores the backend cut by {@link #cutBackend()}.
   *
   * @throws IllegalStateException if there is no hook
   */
  public void restoreBackend() {
    BackendControl control = requireBackendControl();
    control.restore();
    backendCut = false;
  }

  /**
   * Returns the factor by which the concurrency tests multiply their counts.
   *
   * @return the implementer's {@link SessionStoreTck#stressScale()}, at least 1
   */
  public int stressScale() {
    return Math.max(1, kit.stressScale());
  }

  private BackendControl requireBackendControl() {
    BackendControl control = kit.backendControl();
    if (control == null) {
      throw new IllegalStateException(
          "no BackendControl: override SessionStoreTck.backendControl()");
    }
    return control;
  }

  /**
   * Restores the backend and closes every store opened for the test; rethrows the first failure.
   */
  void close() {
    RuntimeException failure = null;
    if (backendCut) {
      try {
        restoreBackend();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    for (SessionStore s : opened) {
      try {
        s.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = new IllegalStateException("closing the store after the test failed: " + e, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    opened.clear();
    store = null;
    scheduler.dispose();
    if (failure != null) {
      throw failure;
    }
  }
}
