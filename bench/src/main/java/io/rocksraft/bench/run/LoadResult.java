package io.rocksraft.bench.run;

/** The load phase: every key written once, in transactions. {@code retries} counts batches sent again. */
public record LoadResult(long keys, double seconds, long retries) {
  static final LoadResult NONE = new LoadResult(0, 0, 0);
}
