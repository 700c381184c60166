package io.rocksraft.jepsen.history;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One event of a history, Jepsen-style: an {@code invoke} by a process and later its completion
 * from the same process, {@code ok} (it happened, with what was read), {@code fail} (it certainly
 * did not happen) or {@code info} (unknown: a timeout or a lost connection). {@code f} names the
 * operation ({@code read}, {@code write}, {@code cas}, or a workload's own); for {@code cas} the value
 * is {@code [expected, new]}; an ok read carries the value read ({@code null} when absent).
 * {@code time} is nanoseconds since the run started.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Op(int process, Type type, String f, String key, JsonNode value, long time) {
  public enum Type {
    invoke, ok, fail, info
  }

  public Op {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
  }

  @JsonIgnore
  public boolean isInvoke() {
    return type == Type.invoke;
  }

  /** The completion of this invocation with {@code type} and {@code value} at {@code time}. */
  public Op complete(Type completion, JsonNode completedValue, long completedAt) {
    return new Op(process, completion, f, key, completedValue, completedAt);
  }
}
