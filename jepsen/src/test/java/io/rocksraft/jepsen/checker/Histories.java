package io.rocksraft.jepsen.checker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Op;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Hand-made histories: events given in any order, sorted by time. */
final class Histories {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<Op> ops = new ArrayList<>();

  Histories op(int process, Op.Type type, String f, String key, Object value, long time) {
    ops.add(new Op(process, type, f, key, value == null ? null : JSON.valueToTree(value), time));
    return this;
  }

  /** An invocation at {@code from} and its completion of {@code type} at {@code to}. */
  Histories call(int process, String f, String key, Object invoked, Op.Type type, Object completed, long from,
                 long to) {
    return op(process, Op.Type.invoke, f, key, invoked, from).op(process, type, f, key, completed, to);
  }

  Histories write(int process, String key, int value, long from, long to) {
    return call(process, "write", key, value, Op.Type.ok, value, from, to);
  }

  Histories read(int process, String key, Integer value, long from, long to) {
    return call(process, "read", key, null, Op.Type.ok, value, from, to);
  }

  Histories cas(int process, String key, int expected, int next, Op.Type type, long from, long to) {
    return call(process, "cas", key, List.of(expected, next), type, List.of(expected, next), from, to);
  }

  History build() {
    List<Op> sorted = new ArrayList<>(ops);
    sorted.sort(Comparator.comparingLong(Op::time));
    return new History(sorted);
  }
}
