package dev.sessionstore.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The R2.7 probe: BlockHound, installed once per JVM, reporting blocking calls on non-blocking
 * Reactor threads only while the probe is armed.
 *
 * <p>Allow-listed, because they do not park a thread for long: class loading (which reads jar files
 * the first time a class is used) and {@code SecureRandom.nextBytes} (which reads the non-blocking
 * {@code /dev/urandom}). BlockHound itself and Reactor's own integration add their usual allowances
 * (for example the idle wait of scheduler workers). A {@code synchronized} block is never reported;
 * a {@code java.util.concurrent} lock is reported only if it actually parks, which the probe avoids
 * by running one operation at a time.
 */
final class BlockingProbe {

  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
  private static volatile boolean armed;
  private static boolean attempted;
  private static @Nullable String unavailable;
  private static boolean ownCallback;

  private BlockingProbe() {}

  /**
   * Installs BlockHound if that has not been tried yet.
   *
   * @return null if blocking calls can be detected, else the reason why not
   */
  static synchronized @Nullable String install() {
    if (attempted) {
      return unavailable;
    }
    attempted = true;
    try {
      BlockHound.install(
          builder ->
              builder
                  .allowBlockingCallsInside("java.lang.ClassLoader", "loadClass")
                  .allowBlockingCallsInside(
                      "jdk.internal.loader.BuiltinClassLoader", "loadClassOrNull")
                  .allowBlockingCallsInside("java.security.SecureRandom", "nextBytes")
                  .blockingMethodCallback(
                      method -> {
                        if (armed) {
                          REPORTS.add(
                              method
                                  + " on thread "
                                  + Thread.currentThread().getName()
                                  + " at "
                                  + where(new Throwable().getStackTrace()));
                          throw new BlockingOperationError(method);
                        }
                      }));
    } catch (Throwable e) {
      unavailable =
          "BlockHound could not be installed: run the JVM with "
              + "-XX:+AllowRedefinitionToAddDeleteMethods (and -XX:+EnableDynamicAgentLoading on JDK 21+); "
              + e;
      return unavailable;
    }
    // Self-test: is a sleep on a parallel thread reported, and through our callback?
    List<String> seen =
        probe(
            () ->
                Kit.outcome(
                    Mono.fromCallable(
                            () -> {
                              Thread.sleep(1);
                              return 1;
                            })
                        .subscribeOn(Schedulers.parallel()),
                    "BlockHound self-test"));
    ownCallback = !seen.isEmpty();
    if (!ownCallback && !selfTestThrew()) {
      unavailable =
          "BlockHound is installed but does not report a sleep on a parallel thread; run the JVM "
              + "with -XX:+AllowRedefinitionToAddDeleteMethods";
    }
    return unavailable;
  }

  private static boolean selfTestThrew() {
    // BlockHound may already have been installed by someone else, with its default callback that
    // throws.
    Kit.Outcome<Integer> outcome =
        Kit.outcome(
            Mono.fromCallable(
                    () -> {
                      Thread.sleep(1);
                      return 1;
                    })
                .subscribeOn(Schedulers.parallel()),
            "BlockHound self-test");
    return isBlockingError(outcome.error());
  }

  /** Runs work with the probe armed and returns the blocking calls reported meanwhile. */
  static synchronized List<String> probe(Runnable work) {
    REPORTS.clear();
    armed = true;
    try {
      work.run();
    } finally {
      armed = false;
    }
    List<String> reports = new ArrayList<>(REPORTS);
    REPORTS.clear();
    return reports;
  }

  /** Whether a failure is (or was caused by) BlockHound's error. */
  static boolean isBlockingError(@Nullable Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof BlockingOperationError) {
        return true;
      }
    }
    return false;
  }

  private static String where(StackTraceElement[] stack) {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (StackTraceElement frame : stack) {
      String c = frame.getClassName();
      if (c.startsWith("reactor.blockhound")
          || c.startsWith("dev.sessionstore.tck.BlockingProbe")
          || c.startsWith("java.")
          || c.startsWith("jdk.")
          || c.startsWith("sun.")) {
        continue;
      }
      out.append(shown == 0 ? "" : " < ").append(frame);
      if (++shown == 4) {
        break;
      }
    }
    return out.length() == 0 ? "(JDK frames only)" : out.toString();
  }

  /**
   * A thread that BlockHound, through Reactor's integration, treats like a thread of a non-blocking
   * scheduler.
   */
  static final class NonBlockingThread extends Thread
      implements reactor.core.scheduler.NonBlocking {
    private final Runnable task;
    volatile @org.jspecify.annotations.Nullable Throwable failure;

    NonBlockingThread(Runnable task) {
      super("tck-nonblocking-periodic-work");
      this.task = task;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        task.run();
      } catch (Throwable e) {
        failure = e;
      }
    }
  }
}
