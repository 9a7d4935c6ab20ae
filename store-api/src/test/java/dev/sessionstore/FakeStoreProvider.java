package dev.sessionstore;

import dev.sessionstore.spi.SessionStoreProvider;
import java.lang.reflect.Proxy;
import java.util.Set;

/** A provider for tests of discovery: its "store" only answers toString with the options it got. */
public final class FakeStoreProvider implements SessionStoreProvider {

  @Override
  public String scheme() {
    return "fake";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("fake", "fake+alias");
  }

  @Override
  public SessionStore open(StoreOptions options) {
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              if (method.getName().equals("toString")) {
                return "fake store " + options.uri();
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
