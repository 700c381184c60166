package io.rocksraft.bench.workload;

/** Picks the id of the next key to touch. */
@FunctionalInterface
public interface KeyChooser {
  long next();
}
