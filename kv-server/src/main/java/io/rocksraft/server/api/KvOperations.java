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
import io.rocksraft.server.ops.RequestMetrics;
import io.rocksraft.server.ops.RequestMetrics.Op;
import io.rocksraft.server.raft.RaftNode;
import java.util.concurrent.CompletableFuture;

/**
 * The kv.v1 operations every API calls: each request is validated, then handed to the Raft
 * layer as a read or a logged write. gRPC and REST only translate to and from these, so the
 * request metrics are taken here, once for both.
 */
public final class KvOperations {
  private final RaftNode node;
  private final RequestValidator validator;
  private final RequestMetrics metrics;

  public KvOperations(RaftNode node, RequestValidator validator, RequestMetrics metrics) {
    this.node = node;
    this.validator = validator;
    this.metrics = metrics;
  }

  public CompletableFuture<GetResponse> get(GetRequest req) {
    return metrics.time(Op.GET, () -> {
      validator.get(req);
      return node.read(Query.newBuilder().setGet(req).build(), req.getRead()).thenApply(QueryResult::getGet);
    });
  }

  public CompletableFuture<RangeResponse> range(RangeRequest req) {
    return metrics.time(Op.RANGE, () -> {
      validator.range(req);
      return node.read(Query.newBuilder().setRange(req).build(), req.getRead()).thenApply(QueryResult::getRange);
    });
  }

  public CompletableFuture<PutResponse> put(PutRequest req) {
    return metrics.time(Op.PUT, () -> {
      validator.put(req);
      return node.propose(Command.newBuilder().setPut(req).build()).thenApply(CommandResult::getPut);
    });
  }

  public CompletableFuture<DeleteResponse> delete(DeleteRequest req) {
    return metrics.time(Op.DELETE, () -> {
      validator.delete(req);
      return node.propose(Command.newBuilder().setDelete(req).build()).thenApply(CommandResult::getDelete);
    });
  }

  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest req) {
    return metrics.time(Op.DELETE_RANGE, () -> {
      validator.deleteRange(req);
      return node.propose(Command.newBuilder().setDeleteRange(req).build()).thenApply(CommandResult::getDeleteRange);
    });
  }

  /**
   * Writes {@code put} only if the key's mod revision is {@code expectedRevision} (0: only if
   * absent); when it is not, the answer's one result is the key as it is.
   */
  public CompletableFuture<TxnResponse> compareAndPut(PutRequest put, long expectedRevision) {
    return metrics.time(Op.TXN, () -> {
      validator.put(put);
      return proposeTxn(TxnRequest.newBuilder()
          .addCompares(Compare.newBuilder().setKey(put.getKey()).setTarget(Compare.Target.MOD_REVISION)
              .setResult(Compare.Result.EQUAL).setNumber(expectedRevision))
          .addSuccess(TxnOp.newBuilder().setPut(put))
          .addFailure(TxnOp.newBuilder().setGet(GetRequest.newBuilder().setKey(put.getKey())))
          .build());
    });
  }

  public CompletableFuture<TxnResponse> txn(TxnRequest req) {
    return metrics.time(Op.TXN, () -> proposeTxn(req));
  }

  private CompletableFuture<TxnResponse> proposeTxn(TxnRequest req) {
    validator.txn(req);
    return node.propose(Command.newBuilder().setTxn(req).build()).thenApply(CommandResult::getTxn);
  }
}
