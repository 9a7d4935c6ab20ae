package dev.sessionstore.tck;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Runs each {@link KitTest} once per configuration of the store under test (SPEC R9.2) and gives
 * every run its own {@link StoreFixture}, closed after the test. JUnit creates one test instance
 * per test method, and the fixture lives in that run's extension store, so nothing leaks from one
 * test to the next.
 */
final class KitExtension
    implements ParameterResolver, AfterEachCallback, TestTemplateInvocationContextProvider {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KitExtension.class);

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context
        .getTestMethod()
        .map(m -> AnnotationSupport.isAnnotated(m, KitTest.class))
        .orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(
      ExtensionContext context) {
    List<KitConfiguration> configurations = configurations(context);
    String name = context.getDisplayName();
    return configurations.stream()
        .map(
            configuration ->
                new TestTemplateInvocationContext() {
                  @Override
                  public String getDisplayName(int invocationIndex) {
                    return configurations.size() == 1
                        ? name
                        : name + " [" + configuration.name() + "]";
                  }

                  @Override
                  public List<Extension> getAdditionalExtensions() {
                    return List.of(
                        (BeforeEachCallback)
                            c -> c.getStore(NAMESPACE).put(KitConfiguration.class, configuration));
                  }
                });
  }

  /**
   * The configurations the kit class declares; asked once per class, of an instance made for the
   * purpose.
   */
  private static List<KitConfiguration> configurations(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ExtensionContext.Store classStore = context.getRoot().getStore(NAMESPACE);
    @SuppressWarnings("unchecked")
    List<KitConfiguration> declared =
        (List<KitConfiguration>)
            classStore.computeIfAbsent(
                testClass,
                c -> {
                  Object instance =
                      context
                          .getTestInstance()
                          .orElseGet(() -> ReflectionSupport.newInstance(testClass));
                  List<KitConfiguration> list = kit(instance).configurations();
                  if (list == null || list.isEmpty()) {
                    throw new IllegalStateException(
                        testClass.getName()
                            + ".configurations() must return at least one configuration, such as KitConfiguration.DEFAULTS");
                  }
                  return List.copyOf(list);
                });
    return declared;
  }

  private static SessionStoreTck kit(Object instance) {
    if (!(instance instanceof SessionStoreTck)) {
      throw new ParameterResolutionException(
          instance.getClass().getName()
              + " must implement dev.sessionstore.tck.SessionStoreTck to run the kit's tests");
    }
    return (SessionStoreTck) instance;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == StoreFixture.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    SessionStoreTck kit = kit(context.getRequiredTestInstance());
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    StoreFixture existing = store.get(StoreFixture.class, StoreFixture.class);
    if (existing != null) {
      return existing;
    }
    KitConfiguration configuration = store.get(KitConfiguration.class, KitConfiguration.class);
    if (configuration == null) {
      configuration = configurations(context).get(0);
    }
    StoreFixture fixture = new StoreFixture(kit, configuration);
    store.put(StoreFixture.class, fixture);
    return fixture;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    StoreFixture fixture =
        context.getStore(NAMESPACE).remove(StoreFixture.class, StoreFixture.class);
    if (fixture != null) {
      fixture.close();
    }
  }
}
