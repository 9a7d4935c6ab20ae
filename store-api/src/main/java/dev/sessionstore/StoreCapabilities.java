package dev.sessionstore;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a store can do beyond the mandatory contract. The TCK runs the rules marked "IF CAPABLE"
 * only for stores that declare the capability. Immutable and thread-safe.
 */
public final class StoreCapabilities {

  /** Optional capabilities. */
  public enum Capability {
    /**
     * {@link SessionStore#events()} publishes this instance's events, including {@code EXPIRED}.
     */
    EVENTS,
    /** Sessions survive a restart of the application. */
    PERSISTENT,
    /** Several store instances (for example one per application server) can share the sessions. */
    SHARED
  }

  private static final StoreCapabilities NONE =
      new StoreCapabilities(EnumSet.noneOf(Capability.class));

  private final Set<Capability> capabilities;

  private StoreCapabilities(EnumSet<Capability> capabilities) {
    this.capabilities = Collections.unmodifiableSet(capabilities);
  }

  /**
   * Returns a set of capabilities.
   *
   * @param capabilities the capabilities
   * @return the set
   */
  public static StoreCapabilities of(Capability... capabilities) {
    if (capabilities.length == 0) {
      return NONE;
    }
    EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
    Collections.addAll(set, capabilities);
    return new StoreCapabilities(set);
  }

  /**
   * Tells whether a capability is declared.
   *
   * @param capability the capability
   * @return whether it is declared
   */
  public boolean has(Capability capability) {
    return capabilities.contains(capability);
  }

  /**
   * @return the declared capabilities, unmodifiable
   */
  public Set<Capability> asSet() {
    return capabilities;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoreCapabilities
        && capabilities.equals(((StoreCapabilities) o).capabilities);
  }

  @Override
  public int hashCode() {
    return capabilities.hashCode();
  }

  @Override
  public String toString() {
    return capabilities.toString();
  }
}
