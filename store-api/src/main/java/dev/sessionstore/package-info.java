/**
 * The session-store contract. Open a store with {@link
 * dev.sessionstore.SessionStores#open(String)}; every store honours the rules of the specification
 * that the TCK checks.
 */
@NullMarked
package dev.sessionstore;

import org.jspecify.annotations.NullMarked;
