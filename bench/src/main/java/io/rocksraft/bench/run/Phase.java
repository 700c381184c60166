package io.rocksraft.bench.run;

import com.fasterxml.jackson.annotation.JsonValue;

/** Warm-up seconds are shown but not counted; measured seconds make the result. */
public enum Phase {
  WARMUP, MEASURED;

  @JsonValue
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
