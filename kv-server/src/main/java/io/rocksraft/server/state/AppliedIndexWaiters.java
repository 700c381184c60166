package io.rocksraft.server.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** Futures that complete once the state machine has applied a given index. */
final class AppliedIndexWaiters {
  private final TreeMap<Long, List<CompletableFuture<Void>>> waiting = new TreeMap<>();
  private long applied;

  synchronized CompletableFuture<Void> await(long index) {
    if (index <= applied) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    waiting.computeIfAbsent(index, i -> new ArrayList<>()).add(f);
    return f;
  }

  void advance(long index) {
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    synchronized (this) {
      applied = Math.max(applied, index);
      Map<Long, List<CompletableFuture<Void>>> head = waiting.headMap(applied, true);
      head.values().forEach(ready::addAll);
      head.clear();
    }
    ready.forEach(f -> f.complete(null));
  }
}
