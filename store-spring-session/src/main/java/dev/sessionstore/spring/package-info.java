/**
 * Spring Session over any {@link dev.sessionstore.SessionStore}: {@link
 * dev.sessionstore.spring.ReactiveSessionStoreRepository} for WebFlux, {@link
 * dev.sessionstore.spring.SessionStoreRepository} for servlet applications, the {@link
 * dev.sessionstore.spring.AttributeCodec} of values outside the store's data model, exclusive
 * logins and the bridge to Spring Session's events.
 */
@NullMarked
package dev.sessionstore.spring;

import org.jspecify.annotations.NullMarked;
