package dev.sessionstore.tck;

import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The session-store compatibility kit: every rule of the session-store contract (SPEC.md, rules
 * R1.1 to R9.2) as JUnit tests. Each test's display name starts with the id of the rule it checks,
 * such as {@code R3.2 destroy wins against an in-flight save}, so a report reads rule by rule.
 *
 * <p>Adopt it with one small test class in your store's test sources:
 *
 * <pre>{@code
 * class MyStoreTckTest implements SessionStoreTck {
 *   @Override
 *   public SessionStore openStore(StoreOptions kitOptions) {
 *     return SessionStores.open(kitOptions.withUri("mystore://localhost/test"));
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #openStore(StoreOptions)} must return a fresh, empty store each time it is called. The
 * kit options carry values set in code that the store must honour, read through {@link
 * StoreOptions#get(StoreOptions.Option)} (a typed value wins over the URI): always {@link
 * StoreOptions#CLOCK} (a {@link TestClock}; expiry is tested by moving it, never by sleeping) and
 * {@link StoreOptions#CLEANUP_INTERVAL}, and per test possibly {@link
 * StoreOptions#TOMBSTONE_GRACE}, {@link StoreOptions#MAX_SESSION_BYTES}, {@link
 * StoreOptions#TOUCH_THRESHOLD}, {@link StoreOptions#MAX_IDLE} and {@link
 * StoreOptions#ID_GENERATOR}. The kit closes every store it opened.
 *
 * <p>Optional features are skipped with the reason: the events rules (R4.5, R7.1) when the store
 * does not declare {@link dev.sessionstore.StoreCapabilities.Capability#EVENTS}, the failure rules
 * R8.1 and R8.2 when {@link #backendControl()} returns null, and the blocking probe R2.7 when
 * BlockHound cannot be installed (run the JVM with {@code
 * -XX:+AllowRedefinitionToAddDeleteMethods}). To switch a test off for a documented reason,
 * override it with {@code @Disabled("why")}.
 *
 * <p>The kit runs its tests one after another (do not enable JUnit's parallel execution for it); a
 * test that stresses a store starts its own threads. The whole kit takes well under a minute
 * against an in-memory store.
 *
 * <p>The R2.7 test installs BlockHound into the JVM once. It reports a blocking call (parking,
 * sleeping, blocking I/O) only while the kit's probe is running and only on non-blocking Reactor
 * threads; a brief {@code synchronized} section never counts, and the probe runs one operation at a
 * time so that an uncontended lock never parks. Outside the probe, BlockHound lets every call
 * through, so other tests in the same JVM are unaffected.
 *
 * <p>Thread-safety: implementations are used by one test at a time; {@link
 * #openStore(StoreOptions)} is called on the test thread.
 */
@ExtendWith(KitExtension.class)
public interface SessionStoreTck
    extends IdentityContract,
        ReadWriteContract,
        DestroyContract,
        ExpiryContract,
        PrincipalContract,
        DataModelContract,
        EventsContract,
        ConcurrencyContract,
        FailureContract,
        LifecycleContract,
        ConfigurationContract,
        RaceContract,
        BoundaryContract {

  /**
   * Opens a fresh, empty store configured with the kit's options. Point the options at your store
   * with {@link StoreOptions#withUri(String)}, which keeps the values the kit set in code.
   *
   * @param kitOptions the kit's options, carrying at least the {@link TestClock}
   * @return a new, open and empty store; the kit closes it
   */
  SessionStore openStore(StoreOptions kitOptions);

  /**
   * Returns the hook with which the kit cuts and restores the store's backend (rules R8.1 and
   * R8.2).
   *
   * @return the hook, or {@code null} (the default) to report R8.1 and R8.2 as skipped
   */
  default @Nullable BackendControl backendControl() {
    return null;
  }

  /**
   * Returns the configurations the kit runs every test in (SPEC R9.2): one per combination of
   * options the store documents. The default is {@link KitConfiguration#common()}: the store's
   * defaults, a positive {@code touchThreshold} and no idle limit. A store with options of its own
   * adds its configurations, for example {@code KitConfiguration.of("whenFull=evict", o ->
   * o.with(MyStore.WHEN_FULL, EVICT))}. The kit asks an instance made for the purpose, once per
   * test class.
   *
   * @return at least one configuration; the first is the one plain {@code @Test} overrides run in
   */
  default List<KitConfiguration> configurations() {
    return KitConfiguration.common();
  }

  /**
   * Returns the factor by which the concurrency tests multiply their thread work. The default, 1,
   * keeps the whole kit well under a minute; raise it for a soak run.
   *
   * @return a factor of at least 1
   */
  default int stressScale() {
    return 1;
  }
}
