/**
 * Spring Boot auto-configuration of a {@link dev.sessionstore.SessionStore} behind Spring Session
 * ({@code sessionstore.*} properties).
 */
@NullMarked
package dev.sessionstore.spring.boot;

import org.jspecify.annotations.NullMarked;
