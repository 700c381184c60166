package io.rocksraft.jepsen.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A history: operations in the order they happened, read from or written to a file of JSON
 * lines, one event per line. {@link #pairs()} matches every invocation with its completion; an
 * invocation without one (the run ended first) counts as {@code info}.
 */
public final class History {
  static final ObjectMapper JSON = new ObjectMapper();

  /** An invocation and its completion (an {@code info} at the end of time when there was none). */
  public record Pair(Op invoke, Op completion) {
    public boolean ok() {
      return completion.type() == Op.Type.ok;
    }

    public boolean failed() {
      return completion.type() == Op.Type.fail;
    }

    /** Unknown outcome: it may have happened, at any time after its invocation. */
    public boolean indeterminate() {
      return completion.type() == Op.Type.info;
    }
  }

  private final List<Op> ops;

  public History(List<Op> ops) {
    this.ops = List.copyOf(ops);
  }

  public List<Op> ops() {
    return ops;
  }

  public static History read(Path file) throws IOException {
    List<Op> ops = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          ops.add(JSON.readValue(line, Op.class));
        } catch (IOException e) {
          throw new IOException(file + ":" + n + " is not an operation: " + e.getMessage(), e);
        }
      }
    }
    return new History(ops);
  }

  public void write(Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Op op : ops) {
        out.write(JSON.writeValueAsString(op));
        out.newLine();
      }
    }
  }

  /**
   * Every invocation with its completion, in invocation order.
   *
   * @throws IllegalArgumentException when a process invokes twice without completing, or
   *     completes what it never invoked: the history itself is broken
   */
  public List<Pair> pairs() {
    Map<Integer, Op> open = new HashMap<>();
    Map<Op, Op> completions = new IdentityHashMap<>();
    List<Op> invokes = new ArrayList<>();
    long end = ops.isEmpty() ? 0 : ops.get(ops.size() - 1).time();
    for (Op op : ops) {
      end = Math.max(end, op.time());
      if (op.isInvoke()) {
        if (open.containsKey(op.process())) {
          throw new IllegalArgumentException("process " + op.process() + " invoked " + op + " while "
              + open.get(op.process()) + " was open");
        }
        open.put(op.process(), op);
        invokes.add(op);
      } else {
        Op invoke = open.remove(op.process());
        if (invoke == null || !invoke.f().equals(op.f())) {
          throw new IllegalArgumentException("completion " + op + " matches no open invocation of its process");
        }
        completions.put(invoke, op);
      }
    }
    List<Pair> pairs = new ArrayList<>(invokes.size());
    for (Op invoke : invokes) {
      Op done = completions.get(invoke);
      pairs.add(new Pair(invoke, done != null ? done : invoke.complete(Op.Type.info, null, Long.MAX_VALUE)));
    }
    return pairs;
  }
}
