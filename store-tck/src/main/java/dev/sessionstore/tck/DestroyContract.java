package dev.sessionstore.tck;

/** Placeholder. */
public interface DestroyContract {}
