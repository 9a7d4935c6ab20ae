/**
 * The service-provider interface through which {@link dev.sessionstore.SessionStores} finds store
 * implementations.
 */
@NullMarked
package dev.sessionstore.spi;

import org.jspecify.annotations.NullMarked;
