package io.rocksraft.jepsen.checker;

import java.util.Map;

/** A checker's verdict, one line that says why, and details for the report (JSON-friendly values). */
public record CheckResult(String checker, Verdict verdict, String summary, Map<String, Object> details) {
  public CheckResult {
    details = Map.copyOf(details);
  }

  public boolean valid() {
    return verdict == Verdict.VALID;
  }
}
