package io.rocksraft.jepsen.checker;

import com.fasterxml.jackson.databind.JsonNode;
import io.rocksraft.jepsen.history.History;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code set} workload: unique {@code add}s (value: the element), then one final {@code read}
 * (value: every element). Lost: an acknowledged add missing from the final read. Unexpected: an
 * element read that no one tried to add. Adds of unknown outcome may be either way.
 */
public final class SetChecker {
  public static final String NAME = "set";

  public CheckResult check(History history) {
    Set<Long> attempted = new TreeSet<>();
    Set<Long> acknowledged = new TreeSet<>();
    Set<Long> uncertain = new TreeSet<>();
    JsonNode finalRead = null;
    for (History.Pair p : history.pairs()) {
      switch (p.invoke().f()) {
        case "add" -> {
          long element = p.invoke().value().asLong();
          attempted.add(element);
          if (p.ok()) {
            acknowledged.add(element);
          } else if (p.indeterminate()) {
            uncertain.add(element);
          }
        }
        case "read" -> {
          if (p.ok()) {
            finalRead = p.completion().value();
          }
        }
        default -> { }
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("attempted", attempted.size());
    details.put("acknowledged", acknowledged.size());
    details.put("uncertain", uncertain.size());
    if (finalRead == null) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "no final read succeeded", details);
    }
    Set<Long> read = new TreeSet<>();
    finalRead.forEach(v -> read.add(v.asLong()));
    Set<Long> lost = new TreeSet<>(acknowledged);
    lost.removeAll(read);
    Set<Long> unexpected = new TreeSet<>(read);
    unexpected.removeAll(attempted);
    Set<Long> recovered = new TreeSet<>(uncertain);
    recovered.retainAll(read);
    details.put("read", read.size());
    details.put("lost", lost);
    details.put("unexpected", unexpected);
    details.put("recovered", recovered.size());
    boolean valid = lost.isEmpty() && unexpected.isEmpty();
    return new CheckResult(NAME, valid ? Verdict.VALID : Verdict.INVALID, valid
        ? read.size() + " elements read; all " + acknowledged.size() + " acknowledged adds present"
        : lost.size() + " acknowledged adds lost, " + unexpected.size() + " elements never added", details);
  }
}
