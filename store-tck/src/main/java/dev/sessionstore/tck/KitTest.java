package dev.sessionstore.tck;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;

/**
 * Marks a kit test: JUnit runs it once per configuration that {@link
 * SessionStoreTck#configurations()} declares (SPEC R9.2), each time with a fresh {@link
 * StoreFixture} of that configuration. To switch a kit test off in your own test class, override it
 * with {@code @Test @Disabled("why")}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@TestTemplate
public @interface KitTest {}
