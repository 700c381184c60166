package io.rocksraft.jepsen.checker;

/** What a checker concluded: valid, a violation found, or no conclusion (out of time, no data). */
public enum Verdict {
  VALID, INVALID, UNKNOWN;

  /** The weaker of two verdicts: any INVALID wins, then UNKNOWN. */
  public Verdict and(Verdict other) {
    return this == INVALID || other == INVALID ? INVALID : this == UNKNOWN || other == UNKNOWN ? UNKNOWN : VALID;
  }
}
