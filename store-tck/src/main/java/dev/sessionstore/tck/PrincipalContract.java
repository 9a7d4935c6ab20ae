package dev.sessionstore.tck;

/** Placeholder. */
public interface PrincipalContract {}
