/**
 * The in-memory session store: {@link dev.sessionstore.memory.MemorySessionStore} and its provider
 * for the {@code memory:} scheme.
 */
@NullMarked
package dev.sessionstore.memory;

import org.jspecify.annotations.NullMarked;
