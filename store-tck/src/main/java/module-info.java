/**
 * The session-store compatibility kit: {@link dev.sessionstore.tck.SessionStoreTck}, a JUnit
 * contract suite every store runs, and {@link dev.sessionstore.tck.TckRunner}, its command-line
 * runner.
 */
module dev.sessionstore.tck {
  requires transitive dev.sessionstore.api;
  requires transitive org.junit.jupiter.api;
  requires org.junit.platform.launcher;
  requires org.assertj.core;
  requires reactor.test;
  requires reactor.blockhound;
  requires static org.jspecify;

  exports dev.sessionstore.tck;

  // JUnit instantiates the kit's extension and the runner's test class reflectively.
  opens dev.sessionstore.tck to
      org.junit.platform.commons;
}
