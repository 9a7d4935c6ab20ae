package dev.sessionstore.tck;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock the kit moves by hand, injected into stores as {@link
 * dev.sessionstore.StoreOptions#CLOCK} so that expiry is tested without sleeping. It stands still
 * until {@link #advance(Duration)} or {@link #set(Instant)} is called.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class TestClock implements InstantSource {

  private final AtomicReference<Instant> now;

  /**
   * Creates a clock showing the given instant.
   *
   * @param start the instant the clock shows until it is moved
   */
  public TestClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  /**
   * Returns the instant the clock shows.
   *
   * @return the current instant of this clock
   */
  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * Moves the clock forward.
   *
   * @param amount how far; zero is allowed
   * @return the new instant
   * @throws IllegalArgumentException if the amount is negative (use {@link #set(Instant)} to go
   *     back)
   */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    if (amount.isNegative()) {
      throw new IllegalArgumentException(
          "a TestClock only advances; use set() to go back: " + amount);
    }
    return now.updateAndGet(instant -> instant.plus(amount));
  }

  /**
   * Sets the clock to an instant, possibly in the past.
   *
   * @param instant the instant the clock shows from now on
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public String toString() {
    return "TestClock[" + now.get() + "]";
  }
}
