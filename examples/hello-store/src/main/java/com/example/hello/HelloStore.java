package com.example.hello;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The smallest sessionstore application: the same code against the memory store and against
 * MongoDB, chosen only by the store URI. Built from the installed artifacts exactly as the README's
 * "Using it" section shows.
 */
public final class HelloStore {

  private HelloStore() {}

  /**
   * Opens {@code memory:}, then an embedded MongoDB-compatible server by its {@code mongodb://} URI.
   *
   * @param args not used
   */
  public static void main(String[] args) {
    use("memory:?maxIdle=PT30M");

    MongoServer mongo = new MongoServer(new MemoryBackend());
    InetSocketAddress address = mongo.bind(); // a free port on the loopback address
    try {
      use("mongodb://" + address.getHostString() + ":" + address.getPort()
          + "/hello?collection=sessions&maxIdle=PT30M");
    } finally {
      mongo.shutdownNow();
    }
  }

  private static void use(String uri) {
    try (SessionStore store = SessionStores.open(uri)) {
      Session s = store.create(SessionDraft.empty().withPrincipal("alice", false)).block();
      store.update(s.id(), cur -> cur.withAttribute("cart", List.of("book"))).block();
      Session read = store.get(s.id()).block();
      store.destroy(s.id()).block();
      boolean gone = store.get(s.id()).blockOptional().isEmpty();
      System.out.println(store.getClass().getSimpleName() + ": " + read.principal()
          + " has cart " + read.attribute("cart") + ", destroyed: " + gone);
      if (!List.of("book").equals(read.attribute("cart")) || !gone) {
        throw new IllegalStateException("unexpected behaviour of the store at " + uri);
      }
    }
  }
}
