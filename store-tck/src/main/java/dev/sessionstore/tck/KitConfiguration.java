package dev.sessionstore.tck;

import dev.sessionstore.StoreOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One configuration of a store under test (SPEC R9.2): a name for the report and the options that
 * set it up. The kit runs every one of its tests once per configuration that {@link
 * SessionStoreTck#configurations()} declares, applying the configuration's options to the kit
 * options before a test adds its own (so a test that sets an option explicitly overrides the
 * configuration).
 *
 * <p>Immutable and thread-safe if the option function is.
 */
public final class KitConfiguration {

  /** The store's defaults: the kit options unchanged. */
  public static final KitConfiguration DEFAULTS =
      new KitConfiguration("defaults", UnaryOperator.identity());

  /** The touch threshold of {@link #positiveTouchThreshold()}. */
  static final Duration POSITIVE_TOUCH_THRESHOLD = Duration.ofSeconds(30);

  private final String name;
  private final UnaryOperator<StoreOptions> options;

  private KitConfiguration(String name, UnaryOperator<StoreOptions> options) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Creates a configuration.
   *
   * @param name a short name for the report, such as {@code whenFull=evict}
   * @param options adds or changes options, for example {@code o -> o.with(MY_OPTION, value)}
   * @return the configuration
   * @throws IllegalArgumentException if the name is blank
   */
  public static KitConfiguration of(String name, UnaryOperator<StoreOptions> options) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a kit configuration needs a name for the report");
    }
    return new KitConfiguration(name, options);
  }

  /**
   * The configuration with a positive {@code touchThreshold} (30 seconds): reads refresh {@code
   * lastAccessedAt} only once it is that old (R4.3).
   *
   * @return the configuration
   */
  public static KitConfiguration positiveTouchThreshold() {
    return of(
        "touchThreshold=PT30S",
        o -> o.with(StoreOptions.TOUCH_THRESHOLD, POSITIVE_TOUCH_THRESHOLD));
  }

  /**
   * The configuration without a default idle limit ({@code maxIdle=none}): a session created
   * without one never expires by idleness.
   *
   * @return the configuration
   */
  public static KitConfiguration noIdleLimit() {
    return of("maxIdle=none", o -> o.with(StoreOptions.MAX_IDLE, null));
  }

  /**
   * The configurations of the options every store accepts (R9.1): {@link #DEFAULTS}, {@link
   * #positiveTouchThreshold()} and {@link #noIdleLimit()}. {@link SessionStoreTck#configurations()}
   * returns these unless a store declares more.
   *
   * @return the common configurations, defaults first
   */
  public static List<KitConfiguration> common() {
    return List.of(DEFAULTS, positiveTouchThreshold(), noIdleLimit());
  }

  /**
   * Returns the name shown in the report.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Applies this configuration to the kit options.
   *
   * @param kitOptions the kit's base options
   * @return the options of this configuration
   */
  public StoreOptions apply(StoreOptions kitOptions) {
    StoreOptions applied = options.apply(kitOptions);
    if (applied == null) {
      throw new IllegalStateException("kit configuration " + name + " returned null options");
    }
    return applied;
  }

  @Override
  public String toString() {
    return name;
  }
}
