package dev.sessionstore;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Makes new session ids. Every id a generator returns must be {@linkplain
 * Session#isWellFormedId(String) well formed}; stores retry with a new id when a generated one is
 * already in use. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface SessionIdGenerator {

  /** The fewest random bytes {@link #secureRandom(int)} accepts: 128 bits. */
  int MIN_RANDOM_BYTES = 16;

  /** The random bytes the default generator draws: 256 bits. */
  int DEFAULT_RANDOM_BYTES = 32;

  /**
   * Returns a new id.
   *
   * @return a well-formed id
   */
  String generate();

  /**
   * Returns the default generator: {@value #DEFAULT_RANDOM_BYTES} bytes from {@link SecureRandom},
   * base64url without padding (43 characters).
   *
   * @return the default generator
   */
  static SessionIdGenerator secureRandom() {
    return secureRandom(DEFAULT_RANDOM_BYTES);
  }

  /**
   * Returns a generator that draws the given number of bytes from {@link SecureRandom} and encodes
   * them base64url without padding.
   *
   * @param bytes how many random bytes, at least {@value #MIN_RANDOM_BYTES}
   * @return the generator
   * @throws IllegalArgumentException if {@code bytes} is below {@value #MIN_RANDOM_BYTES} or above
   *     192
   */
  static SessionIdGenerator secureRandom(int bytes) {
    if (bytes < MIN_RANDOM_BYTES || bytes > 192) {
      throw new IllegalArgumentException(
          "a session id needs " + MIN_RANDOM_BYTES + " to 192 random bytes, asked for " + bytes);
    }
    SecureRandom random = new SecureRandom();
    Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    return new SessionIdGenerator() {
      @Override
      public String generate() {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return encoder.encodeToString(buffer);
      }

      @Override
      public String toString() {
        return "secureRandom(" + bytes + " bytes)";
      }
    };
  }

  /**
   * Returns a generator of random (version 4) UUIDs, for systems that expect that format. A UUID
   * carries 122 random bits, below the 128 the default generator guarantees.
   *
   * @return the generator
   */
  static SessionIdGenerator uuid() {
    return new SessionIdGenerator() {
      @Override
      public String generate() {
        return UUID.randomUUID().toString();
      }

      @Override
      public String toString() {
        return "uuid";
      }
    };
  }
}
