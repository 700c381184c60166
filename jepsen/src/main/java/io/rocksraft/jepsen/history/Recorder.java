package io.rocksraft.jepsen.history;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a history as it happens: every invocation before the client call, every completion
 * after it, with nanoseconds since the recorder started. Thread-safe; the order of the events
 * is the order they were recorded in, which is real-time order.
 */
public final class Recorder {
  private final long startNanos;
  private final List<Op> ops = new ArrayList<>();

  public Recorder(long startNanos) {
    this.startNanos = startNanos;
  }

  public long now() {
    return System.nanoTime() - startNanos;
  }

  public synchronized Op invoke(int process, String f, String key, JsonNode value) {
    Op op = new Op(process, Op.Type.invoke, f, key, value, now());
    ops.add(op);
    return op;
  }

  public synchronized Op complete(Op invoke, Op.Type type, JsonNode value) {
    Op op = invoke.complete(type, value, now());
    ops.add(op);
    return op;
  }

  public synchronized History history() {
    return new History(new ArrayList<>(ops));
  }
}
