package io.rocksraft.bench.target;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A store under test. Every call is asynchronous so that one thread can keep many requests in
 * flight; a future that completes exceptionally is an error of that operation.
 */
public interface Target extends AutoCloseable {
  /** The name in reports: {@code rocksraft} or {@code etcd}. */
  String name();

  CompletableFuture<Void> put(byte[] key, byte[] value);

  /** A linearizable read of one key (whether it exists or not is no error). */
  CompletableFuture<Void> get(byte[] key);

  /** Keys in [from, to), at most {@code limit}; completes with how many came back. */
  CompletableFuture<Integer> scan(byte[] from, byte[] to, int limit);

  /** Writes the pairs in one transaction: the load phase fills the key space with these. */
  CompletableFuture<Void> putAll(List<Pair> pairs);

  @Override
  void close();

  /** One key and its value. */
  record Pair(byte[] key, byte[] value) {}
}
