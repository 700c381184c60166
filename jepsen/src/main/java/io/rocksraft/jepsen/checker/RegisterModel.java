package io.rocksraft.jepsen.checker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A read/write/compare-and-set register, as one key of the store: the state is the key's value,
 * {@code null} (JSON null) when absent. A step answers the state after the operation, or empty
 * when the operation could not have happened in that state.
 */
final class RegisterModel {
  static final JsonNode ABSENT = NullNode.getInstance();

  private RegisterModel() {}

  static JsonNode normalize(JsonNode v) {
    return v == null || v.isMissingNode() ? ABSENT : v;
  }

  /** {@code value}: for a write what was written, for a read what was read, for a cas {@code [expected, new]}. */
  static Optional<JsonNode> step(JsonNode state, String f, JsonNode value) {
    return switch (f) {
      case "write" -> Optional.of(normalize(value));
      case "read" -> Objects.equals(state, normalize(value)) ? Optional.of(state) : Optional.empty();
      case "cas" -> Objects.equals(state, normalize(value.get(0))) ? Optional.of(normalize(value.get(1)))
          : Optional.empty();
      default -> throw new IllegalArgumentException("a register has no operation '" + f + "'");
    };
  }
}
