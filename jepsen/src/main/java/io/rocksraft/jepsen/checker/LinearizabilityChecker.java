package io.rocksraft.jepsen.checker;

import com.fasterxml.jackson.databind.JsonNode;
import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Op;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a register history for linearizability: the Wing–Gong search as Lowe improved it
 * (backtracking over a list of call and return events, with a memo of the (linearized set, state)
 * pairs already explored), split per key because each key is an independent register (as
 * Porcupine does). An operation that failed never happened and is dropped; one whose outcome is
 * unknown ({@code info}) may have taken effect at any point after its invocation, or never. Runs
 * out of its time budget with {@link Verdict#UNKNOWN}, never with a guess.
 */
public final class LinearizabilityChecker {
  public static final String NAME = "linearizable-register";
  private static final Set<String> FUNCTIONS = Set.of("read", "write", "cas");

  private final Duration budget;

  public LinearizabilityChecker(Duration budget) {
    this.budget = budget;
  }

  /** One operation as the search sees it: its interval and what it did. */
  private record Operation(int id, long call, long ret, String f, JsonNode value, Op invoke) {}

  public CheckResult check(History history) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (History.Pair p : history.pairs()) {
      if (!FUNCTIONS.contains(p.invoke().f()) || p.failed() || (p.indeterminate() && p.invoke().f().equals("read"))) {
        continue; // never happened, or a read whose answer nobody saw: no constraint
      }
      List<Operation> ops = byKey.computeIfAbsent(p.invoke().key(), k -> new ArrayList<>());
      JsonNode value = p.invoke().f().equals("read") ? p.completion().value() : p.invoke().value();
      ops.add(new Operation(ops.size(), p.invoke().time(), p.indeterminate() ? Long.MAX_VALUE : p.completion().time(),
          p.invoke().f(), value, p.invoke()));
    }
    long deadline = System.nanoTime() + budget.toNanos();
    Verdict verdict = Verdict.VALID;
    Map<String, Object> invalid = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
      KeyResult r = new Search(e.getValue(), deadline).run();
      verdict = verdict.and(r.verdict());
      if (r.verdict() == Verdict.INVALID) {
        invalid.put(e.getKey(), r.witness());
      } else if (r.verdict() == Verdict.UNKNOWN) {
        unknown.add(e.getKey());
      }
    }
    int ops = byKey.values().stream().mapToInt(List::size).sum();
    String summary = switch (verdict) {
      case VALID -> ops + " operations on " + byKey.size() + " keys are linearizable";
      case INVALID -> "NOT linearizable: keys " + invalid.keySet();
      case UNKNOWN -> "unknown: the " + budget.toSeconds() + " s budget ran out on keys " + unknown;
    };
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("operations", ops);
    details.put("keys", byKey.size());
    details.put("invalid", invalid);
    details.put("unknown", unknown);
    return new CheckResult(NAME, verdict, summary, details);
  }

  private record KeyResult(Verdict verdict, String witness) {}

  /** The search over one key's operations. */
  private static final class Search {
    /** A call or return event in a doubly linked list the search lifts operations out of. */
    private static final class Event {
      final Operation op;
      final boolean call;
      final long time;
      Event prev;
      Event next;
      Event match;

      Event(Operation op, boolean call, long time) {
        this.op = op;
        this.call = call;
        this.time = time;
      }
    }

    private record Frame(Event call, JsonNode state, BitSet linearized) {}

    private record Memo(BitSet linearized, JsonNode state) {}

    private final Event head = new Event(null, false, Long.MIN_VALUE);
    private final long deadline;
    private Operation stuckAt;
    private int deepest = -1;

    Search(List<Operation> ops, long deadline) {
      this.deadline = deadline;
      List<Event> events = new ArrayList<>();
      for (Operation op : ops) {
        Event call = new Event(op, true, op.call());
        Event ret = new Event(op, false, op.ret());
        call.match = ret;
        events.add(call);
        events.add(ret);
      }
      // At equal times calls come first: touching intervals count as concurrent, never as ordered.
      events.sort(Comparator.comparingLong((Event e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
      Event last = head;
      for (Event e : events) {
        last.next = e;
        e.prev = last;
        last = e;
      }
    }

    KeyResult run() {
      Deque<Frame> stack = new ArrayDeque<>();
      Set<Memo> memo = new HashSet<>();
      JsonNode state = RegisterModel.ABSENT;
      BitSet linearized = new BitSet();
      Event entry = head.next;
      long steps = 0;
      while (entry != null) {
        if ((++steps & 1023) == 0 && System.nanoTime() > deadline || System.nanoTime() > deadline && steps == 1) {
          return new KeyResult(Verdict.UNKNOWN, null);
        }
        if (entry.call) {
          Optional<JsonNode> next = RegisterModel.step(state, entry.op.f(), entry.op.value());
          if (next.isPresent()) {
            BitSet after = (BitSet) linearized.clone();
            after.set(entry.op.id());
            if (memo.add(new Memo(after, next.get()))) {
              stack.push(new Frame(entry, state, linearized));
              state = next.get();
              linearized = after;
              lift(entry);
              entry = head.next;
              continue;
            }
          }
          entry = entry.next;
        } else {
          if (entry.time == Long.MAX_VALUE) {
            return new KeyResult(Verdict.VALID, null); // only operations of unknown outcome are left
          }
          if (stack.size() > deepest) {
            deepest = stack.size();
            stuckAt = entry.op;
          }
          if (stack.isEmpty()) {
            return new KeyResult(Verdict.INVALID, witness());
          }
          Frame f = stack.pop();
          state = f.state();
          linearized = f.linearized();
          unlift(f.call());
          entry = f.call().next;
        }
      }
      return new KeyResult(Verdict.VALID, null);
    }

    private String witness() {
      Op op = stuckAt.invoke();
      return "no order of the operations explains " + op.f() + " " + stuckAt.value() + " by process "
          + op.process() + " (invoked at " + op.time() + " ns, returned at " + stuckAt.ret() + " ns); at most "
          + deepest + " operations could be put in order before it";
    }

    private static void lift(Event call) {
      call.prev.next = call.next;
      if (call.next != null) {
        call.next.prev = call.prev;
      }
      Event ret = call.match;
      ret.prev.next = ret.next;
      if (ret.next != null) {
        ret.next.prev = ret.prev;
      }
    }

    private static void unlift(Event call) {
      Event ret = call.match;
      ret.prev.next = ret;
      if (ret.next != null) {
        ret.next.prev = ret;
      }
      call.prev.next = call;
      if (call.next != null) {
        call.next.prev = call;
      }
    }
  }
}
