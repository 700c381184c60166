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
import io.rocksraft.server.security.Caller;
import io.rocksraft.server.state.KeyRange;
import java.util.concurrent.CompletableFuture;

/**
 * The kv.v1 operations every API calls: each request is validated, then handed to the Raft
 * layer as a read or a logged write, once the caller's roles allow it. gRPC and REST only translate to and from these, so the
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

  public CompletableFuture<GetResponse> get(Caller caller, GetRequest req) {
    return metrics.time(Op.GET, () -> {
      validator.get(req);
      caller.requireRead(req.getKey());
      return node.read(Query.newBuilder().setGet(req).build(), req.getRead()).thenApply(QueryResult::getGet);
    });
  }

  public CompletableFuture<RangeResponse> range(Caller caller, RangeRequest req) {
    return metrics.time(Op.RANGE, () -> {
      validator.range(req);
      caller.requireRead(KeyRange.of(req.getStart(), req.getEnd(), req.getPrefix()));
      return node.read(Query.newBuilder().setRange(req).build(), req.getRead()).thenApply(QueryResult::getRange);
    });
  }

  public CompletableFuture<PutResponse> put(Caller caller, PutRequest req) {
    return metrics.time(Op.PUT, () -> {
      validator.put(req);
      caller.requireWrite(req.getKey());
      if (req.getPrevKv()) {
        caller.requireRead(req.getKey());
      }
      return node.propose(Command.newBuilder().setPut(req).build()).thenApply(CommandResult::getPut);
    });
  }

  public CompletableFuture<DeleteResponse> delete(Caller caller, DeleteRequest req) {
    return metrics.time(Op.DELETE, () -> {
      validator.delete(req);
      caller.requireWrite(req.getKey());
      if (req.getPrevKv()) {
        caller.requireRead(req.getKey());
      }
      return node.propose(Command.newBuilder().setDelete(req).build()).thenApply(CommandResult::getDelete);
    });
  }

  public CompletableFuture<DeleteRangeResponse> deleteRange(Caller caller, DeleteRangeRequest req) {
    return metrics.time(Op.DELETE_RANGE, () -> {
      validator.deleteRange(req);
      caller.requireWrite(KeyRange.of(req.getStart(), req.getEnd(), req.getPrefix()));
      return node.propose(Command.newBuilder().setDeleteRange(req).build()).thenApply(CommandResult::getDeleteRange);
    });
  }

  /**
   * Writes {@code put} only if the key's mod revision is {@code expectedRevision} (0: only if
   * absent); when it is not, the answer's one result is the key as it is. The put's write id,
   * if any, becomes the transaction's.
   */
  public CompletableFuture<TxnResponse> compareAndPut(Caller caller, PutRequest put, long expectedRevision) {
    return metrics.time(Op.TXN, () -> {
      validator.put(put);
      return proposeTxn(caller, TxnRequest.newBuilder()
          .setId(put.getId())
          .addCompares(Compare.newBuilder().setKey(put.getKey()).setTarget(Compare.Target.MOD_REVISION)
              .setResult(Compare.Result.EQUAL).setNumber(expectedRevision))
          .addSuccess(TxnOp.newBuilder().setPut(put.toBuilder().clearId()))
          .addFailure(TxnOp.newBuilder().setGet(GetRequest.newBuilder().setKey(put.getKey())))
          .build());
    });
  }

  public CompletableFuture<TxnResponse> txn(Caller caller, TxnRequest req) {
    return metrics.time(Op.TXN, () -> proposeTxn(caller, req));
  }

  private CompletableFuture<TxnResponse> proposeTxn(Caller caller, TxnRequest req) {
    validator.txn(req);
    // Both branches: which one runs is known only when it is applied.
    req.getComparesList().forEach(c -> caller.requireRead(c.getKey()));
    req.getSuccessList().forEach(op -> authorize(caller, op));
    req.getFailureList().forEach(op -> authorize(caller, op));
    return node.propose(Command.newBuilder().setTxn(req).build()).thenApply(CommandResult::getTxn);
  }

  private static void authorize(Caller caller, TxnOp op) {
    switch (op.getOpCase()) {
      case GET -> caller.requireRead(op.getGet().getKey());
      case RANGE -> caller.requireRead(KeyRange.of(op.getRange().getStart(), op.getRange().getEnd(),
          op.getRange().getPrefix()));
      case PUT -> {
        caller.requireWrite(op.getPut().getKey());
        if (op.getPut().getPrevKv()) {
          caller.requireRead(op.getPut().getKey());
        }
      }
      case DELETE -> {
        caller.requireWrite(op.getDelete().getKey());
        if (op.getDelete().getPrevKv()) {
          caller.requireRead(op.getDelete().getKey());
        }
      }
      case DELETE_RANGE -> caller.requireWrite(KeyRange.of(op.getDeleteRange().getStart(),
          op.getDeleteRange().getEnd(), op.getDeleteRange().getPrefix()));
      default -> { }
    }
  }
}
