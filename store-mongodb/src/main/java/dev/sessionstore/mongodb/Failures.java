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

/** Translates driver failures into the store's exceptions. Stateless and thread-safe. */
final class Failures {

  private Failures() {}

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
   * @param e the failure
   * @return the exception to signal
   */
  static Throwable map(String operation, Throwable e) {
    if (e instanceof SessionStoreException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException && !(e instanceof MongoException)) {
      return e;
    }
    if (e instanceof TimeoutException) {
      return new StoreUnavailableException(operation + " did not complete in time: " + e.getMessage(),
          e);
    }
    if (isUnavailable(e)) {
      return new StoreUnavailableException(operation + " failed: MongoDB is unavailable ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
    if (e instanceof MongoException) {
      return new SessionStoreException(operation + " failed: " + e.getClass().getSimpleName() + ": "
          + e.getMessage(), e);
    }
    return e;
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
