/**
 * The MongoDB session store: {@link dev.sessionstore.mongodb.MongoSessionStore} (with a builder
 * that takes an application's own {@code MongoClient} or {@code MongoDatabase}) and {@link
 * dev.sessionstore.mongodb.MongoSessionStoreProvider}, which opens it from a {@code mongodb://}
 * URI.
 */
@NullMarked
package dev.sessionstore.mongodb;

import org.jspecify.annotations.NullMarked;
