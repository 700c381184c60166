package io.rocksraft.jepsen.run;

import java.util.ArrayList;
import java.util.List;

/** When each fault was in effect, for the report and {@code nemesis.jsonl}. */
public final class Timeline {
  /** A fault from {@code start} to {@code end} (nanoseconds since the run began; end -1 while in effect). */
  public record Interval(String nemesis, String description, long start, long end, String healError) {}

  private final List<Interval> intervals = new ArrayList<>();

  public synchronized int begin(String nemesis, String description, long at) {
    intervals.add(new Interval(nemesis, description, at, -1, null));
    return intervals.size() - 1;
  }

  public synchronized void end(int index, long at, String healError) {
    Interval i = intervals.get(index);
    intervals.set(index, new Interval(i.nemesis(), i.description(), i.start(), at, healError));
  }

  public synchronized List<Interval> intervals() {
    return List.copyOf(intervals);
  }
}
