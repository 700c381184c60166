package io.rocksraft.server.raft;

import io.rocksraft.client.WriteIds;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.state.WriteIdentity;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * This node's own exactly-once session. A write that arrives without an id (REST, a gRPC
 * caller that sends none) gets one before its first attempt, so when the node sends its batch
 * again (a leader that answered "not leader" may still commit what it had appended) the
 * session table answers the copy instead of applying it twice. A new id per node start: the
 * old one's answers expire with its session.
 */
final class NodeSession {
  private final WriteIds ids = new WriteIds();

  /** Proposes {@code command} through {@code proposer}, with one of this node's ids when it has none. */
  CompletableFuture<CommandResult> propose(Command command,
                                           Function<Command, CompletableFuture<CommandResult>> proposer) {
    if (!WriteIdentity.lacksId(command)) {
      return proposer.apply(command);
    }
    long sequence = ids.begin();
    CompletableFuture<CommandResult> result;
    try {
      result = proposer.apply(WriteIdentity.with(command, ids.id(sequence)));
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    // Answered or failed, the node never sends this sequence again: later ids may let the
    // server forget its answer (a late copy is then refused, never applied).
    return result.whenComplete((r, e) -> ids.end(sequence));
  }
}
