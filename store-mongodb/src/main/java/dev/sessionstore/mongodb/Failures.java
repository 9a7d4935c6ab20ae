package dev.sessionstore.mongodb;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoClientException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoServerUnavailableException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import dev.sessionstore.SessionStoreException;
import dev.sessionstore.StoreUnavailableException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Translates driver failures into the store's exceptions (R8.1): an unreachable backend becomes a
 * {@link StoreUnavailableException} naming the hosts (never credentials) and the driver's cause
 * (connection refused, unknown host, time-out), also when the operation's own time limit fired
 * first. Thread-safe.
 */
final class Failures {

  private final String backend;
  private final Supplier<@Nullable Throwable> lastServerError;

  /**
   * @param backend the hosts, for messages (for example {@code MongoDB at [db1:27017]})
   * @param lastServerError the driver's latest failure to reach a server, if it knows one
   */
  Failures(String backend, Supplier<@Nullable Throwable> lastServerError) {
    this.backend = backend;
    this.lastServerError = lastServerError;
  }

  /** Maps a failure of an operation; see {@link #map(String, String, Supplier, Throwable)}. */
  Throwable map(String operation, Throwable e) {
    return map(operation, backend, lastServerError, e);
  }

  /** Whether a failure is a duplicate-key error (a unique index refused the write). */
  static boolean isDuplicateKey(Throwable e) {
    return e instanceof MongoWriteException w
        && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
  }

  /**
   * Maps a failure of an operation to what the store signals: network trouble and time-outs become
   * {@link StoreUnavailableException}, other driver errors a {@link SessionStoreException}; the
   * store's own exceptions and argument errors pass unchanged.
   *
   * @param operation the operation, for the message
   * @param backend the hosts, for the message
   * @param lastServerError the driver's latest failure to reach a server, if any
   * @param e the failure
   * @return the exception to signal
   */
  static Throwable map(
      String operation,
      String backend,
      Supplier<@Nullable Throwable> lastServerError,
      Throwable e) {
    if (e instanceof SessionStoreException
        || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException && !(e instanceof MongoException)) {
      return e;
    }
    if (e instanceof TimeoutException) {
      Throwable cause = lastServerError.get();
      return new StoreUnavailableException(
          operation
              + " failed: "
              + backend
              + " did not answer in time"
              + (cause == null ? "" : " (" + describe(cause) + ")"),
          cause == null ? e : cause);
    }
    if (isUnavailable(e)) {
      return new StoreUnavailableException(
          operation + " failed: " + backend + " is unavailable (" + describe(e) + ")", e);
    }
    if (e instanceof MongoException) {
      return new SessionStoreException(
          operation + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    return e;
  }

  /** The driver's message and its root cause, e.g. "Connection refused" or an unknown host. */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (root != e) {
      text += "; caused by " + root.getClass().getSimpleName() + ": " + root.getMessage();
    }
    return text;
  }

  private static boolean isUnavailable(Throwable e) {
    if (e instanceof MongoTimeoutException
        || e instanceof MongoSocketException
        || e instanceof MongoNotPrimaryException
        || e instanceof MongoNodeIsRecoveringException
        || e instanceof MongoServerUnavailableException
        || e instanceof MongoConnectionPoolClearedException
        || e instanceof MongoExecutionTimeoutException
        || e instanceof MongoOperationTimeoutException
        || e instanceof MongoInterruptedException) {
      return true;
    }
    if (e instanceof MongoException m) {
      if (m.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)
          || m.hasErrorLabel("RetryableWriteError")
          || m.hasErrorLabel("SystemOverloadedError")) {
        return true;
      }
      Throwable cause = m.getCause();
      return cause != null && cause != e && isUnavailable(cause);
    }
    return e instanceof MongoClientException;
  }
}
