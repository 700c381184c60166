package io.rocksraft.server.raft;

import java.util.concurrent.ForkJoinPool;

/**
 * Gives the JVM's common pool at least two threads. Ratis 3.2.2 runs a step of every append a
 * follower receives through {@code CompletableFuture.thenComposeAsync} without an executor
 * ({@code ServerImplUtils.NavigableIndices.append}), that is on the common pool; and where that
 * pool has fewer than two threads, which the JVM chooses on a machine or container with two cores
 * or fewer, {@code CompletableFuture} starts a new thread for every such step instead. Under load
 * that cost each follower about 7 % of its CPU (docs/performance.md).
 */
public final class CommonPool {
  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
  /** CompletableFuture uses the common pool only from this parallelism on. */
  static final int LEAST = 2;

  private CommonPool() {}

  /**
   * Sets the common pool's parallelism to at least {@link #LEAST} unless the JVM was given one; it
   * takes effect only before anything used the pool, so a node calls it first thing in main.
   * Answers the parallelism in effect.
   */
  public static int ensureParallelism() {
    if (System.getProperty(PARALLELISM) == null) {
      int jvmDefault = Runtime.getRuntime().availableProcessors() - 1;
      System.setProperty(PARALLELISM, Integer.toString(Math.max(LEAST, jvmDefault)));
    }
    return ForkJoinPool.getCommonPoolParallelism();
  }
}
