package dev.sessionstore.tck;

/** Placeholder. */
public interface DataModelContract {}
