package dev.sessionstore.tck;

/** Placeholder. */
public interface ConcurrencyContract {}
