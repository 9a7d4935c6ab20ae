package dev.sessionstore.tck;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each kit test its own {@link StoreFixture} and closes it after the test. JUnit creates one
 * test instance per test method, and the fixture lives in that method's extension store, so nothing
 * leaks from one test to the next.
 */
final class KitExtension implements ParameterResolver, AfterEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KitExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == StoreFixture.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Object instance = context.getRequiredTestInstance();
    if (!(instance instanceof SessionStoreTck)) {
      throw new ParameterResolutionException(instance.getClass().getName()
          + " must implement dev.sessionstore.tck.SessionStoreTck to run the kit's tests");
    }
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    StoreFixture existing = store.get(StoreFixture.class, StoreFixture.class);
    if (existing != null) {
      return existing;
    }
    StoreFixture fixture = new StoreFixture((SessionStoreTck) instance);
    store.put(StoreFixture.class, fixture);
    return fixture;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    StoreFixture fixture = context.getStore(NAMESPACE).remove(StoreFixture.class, StoreFixture.class);
    if (fixture != null) {
      fixture.close();
    }
  }
}
