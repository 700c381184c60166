package io.rocksraft.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.internal.BatchResult;
import io.rocksraft.server.internal.Bounds;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.Failure;
import io.rocksraft.server.internal.LogBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.junit.jupiter.api.Test;

/** The proposer against a log of the test's own: what goes into each entry, and what comes of each answer. */
class ProposerTest {
  private static final Bounds BOUNDS = Bounds.newBuilder().setMaxWriteKeys(500).setMaxResultBytes(2 << 20)
      .setMaxRangeLimit(100).build();

  /** Entries handed to the log, in order, each with the reply the test completes. */
  private final List<LogBatch> entries = new ArrayList<>();
  private final List<CompletableFuture<RaftClientReply>> replies = new ArrayList<>();
  private final Proposer proposer = new Proposer(message -> {
    CompletableFuture<RaftClientReply> reply = new CompletableFuture<>();
    try {
      entries.add(LogBatch.parseFrom(message.getContent().toByteArray()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    replies.add(reply);
    return reply;
  }, 100, 1, 256, 4 << 20, BOUNDS, new MetricRegistry());

  @Test
  void writesTheApplierDefersGoFirstAndInOrderIntoTheNextEntryAndEveryEntryCarriesTheBounds() {
    CompletableFuture<CommandResult> a = proposer.propose(put("a"));
    CompletableFuture<CommandResult> b = proposer.propose(put("b"));
    CompletableFuture<CommandResult> c = proposer.propose(put("c"));
    CompletableFuture<CommandResult> d = proposer.propose(put("d"));
    answer(0, ok());
    assertThat(keys(1)).containsExactly("b", "c", "d");

    CompletableFuture<CommandResult> e = proposer.propose(put("e"));
    answer(1, ok(), deferred(), deferred());
    assertThat(b).isCompleted();
    assertThat(c).isNotDone();
    assertThat(d).isNotDone();
    assertThat(keys(2)).as("the deferred writes, then the one queued meanwhile").containsExactly("c", "d", "e");

    answer(2, ok(), tooLarge(), ok());
    assertThat(a).isCompleted();
    assertThat(c).isCompleted();
    assertThat(e).isCompleted();
    assertThatThrownBy(d::join).isInstanceOf(CompletionException.class).cause()
        .isInstanceOfSatisfying(KvException.class, k -> assertThat(k.kind()).isEqualTo(ErrorKind.TOO_LARGE))
        .hasMessageContaining("limits.maxWriteKeys");
    assertThat(entries).hasSize(3).allSatisfy(entry -> assertThat(entry.getBounds()).isEqualTo(BOUNDS));
  }

  private List<String> keys(int entry) {
    assertThat(entries).hasSizeGreaterThan(entry);
    return entries.get(entry).getCommandsList().stream().map(c -> c.getPut().getKey().toStringUtf8()).toList();
  }

  private void answer(int entry, CommandResult... results) {
    BatchResult batch = BatchResult.newBuilder().addAllResults(List.of(results)).build();
    replies.get(entry).complete(RaftClientReply.newBuilder().setClientId(ClientId.randomId())
        .setServerId(RaftPeerId.valueOf("n1")).setGroupId(RaftGroupId.randomId()).setCallId(entry).setSuccess()
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(batch.toByteArray()))).build());
  }

  private static Command put(String key) {
    return Command.newBuilder().setPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))).build();
  }

  private static CommandResult ok() {
    return CommandResult.newBuilder().setPut(PutResponse.getDefaultInstance()).build();
  }

  private static CommandResult deferred() {
    return failure(Failure.Code.DEFERRED, "deferred");
  }

  private static CommandResult tooLarge() {
    return failure(Failure.Code.TOO_LARGE, "the write changes more than 500 keys (limits.maxWriteKeys)");
  }

  private static CommandResult failure(Failure.Code code, String message) {
    return CommandResult.newBuilder().setFailure(Failure.newBuilder().setCode(code).setMessage(message)).build();
  }
}
