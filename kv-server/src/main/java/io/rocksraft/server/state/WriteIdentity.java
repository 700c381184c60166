package io.rocksraft.server.state;

import io.rocksraft.api.v1.WriteId;
import io.rocksraft.server.internal.Command;

/** Where a command carries its exactly-once identity: inside the client's request. */
public final class WriteIdentity {
  private WriteIdentity() {}

  /** The command's write id; null for commands that are not client writes (members, hash points). */
  public static WriteId of(Command command) {
    return switch (command.getOpCase()) {
      case PUT -> command.getPut().getId();
      case DELETE -> command.getDelete().getId();
      case DELETE_RANGE -> command.getDeleteRange().getId();
      case TXN -> command.getTxn().getId();
      default -> null;
    };
  }

  /** Whether the command is a client write that arrived without an id of its client's. */
  public static boolean lacksId(Command command) {
    WriteId id = of(command);
    return id != null && id.getClientId().isEmpty();
  }

  /** The command with {@code id} as its write id. */
  public static Command with(Command command, WriteId id) {
    Command.Builder out = command.toBuilder();
    switch (command.getOpCase()) {
      case PUT -> out.getPutBuilder().setId(id);
      case DELETE -> out.getDeleteBuilder().setId(id);
      case DELETE_RANGE -> out.getDeleteRangeBuilder().setId(id);
      case TXN -> out.getTxnBuilder().setId(id);
      default -> throw new IllegalArgumentException(command.getOpCase() + " carries no write id");
    }
    return out.build();
  }
}
