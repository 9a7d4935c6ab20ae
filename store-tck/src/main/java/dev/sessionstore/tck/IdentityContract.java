package dev.sessionstore.tck;

/** Placeholder. */
public interface IdentityContract {}
