package io.rocksraft.server.api;

import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRangeResponse;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.DeleteResponse;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.GetResponse;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.TxnResponse;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.Query;
import io.rocksraft.server.internal.QueryResult;
import io.rocksraft.server.raft.RaftNode;
import java.util.concurrent.CompletableFuture;

/**
 * The kv.v1 operations every API calls: each request is validated, then handed to the Raft
 * layer as a read or a logged write. gRPC and REST only translate to and from these.
 */
public final class KvOperations {
  private final RaftNode node;
  private final RequestValidator validator;

  public KvOperations(RaftNode node, RequestValidator validator) {
    this.node = node;
    this.validator = validator;
  }

  public CompletableFuture<GetResponse> get(GetRequest req) {
    validator.get(req);
    return node.read(Query.newBuilder().setGet(req).build(), req.getRead()).thenApply(QueryResult::getGet);
  }

  public CompletableFuture<RangeResponse> range(RangeRequest req) {
    validator.range(req);
    return node.read(Query.newBuilder().setRange(req).build(), req.getRead()).thenApply(QueryResult::getRange);
  }

  public CompletableFuture<PutResponse> put(PutRequest req) {
    validator.put(req);
    return node.propose(Command.newBuilder().setPut(req).build()).thenApply(CommandResult::getPut);
  }

  public CompletableFuture<DeleteResponse> delete(DeleteRequest req) {
    validator.delete(req);
    return node.propose(Command.newBuilder().setDelete(req).build()).thenApply(CommandResult::getDelete);
  }

  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest req) {
    validator.deleteRange(req);
    return node.propose(Command.newBuilder().setDeleteRange(req).build()).thenApply(CommandResult::getDeleteRange);
  }

  /**
   * Writes {@code put} only if the key's mod revision is {@code expectedRevision} (0: only if
   * absent); when it is not, the answer's one result is the key as it is.
   */
  public CompletableFuture<TxnResponse> compareAndPut(PutRequest put, long expectedRevision) {
    validator.put(put);
    return txn(TxnRequest.newBuilder()
        .addCompares(Compare.newBuilder().setKey(put.getKey()).setTarget(Compare.Target.MOD_REVISION)
            .setResult(Compare.Result.EQUAL).setNumber(expectedRevision))
        .addSuccess(TxnOp.newBuilder().setPut(put))
        .addFailure(TxnOp.newBuilder().setGet(GetRequest.newBuilder().setKey(put.getKey())))
        .build());
  }

  public CompletableFuture<TxnResponse> txn(TxnRequest req) {
    validator.txn(req);
    return node.propose(Command.newBuilder().setTxn(req).build()).thenApply(CommandResult::getTxn);
  }
}
