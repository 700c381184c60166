package io.rocksraft.server.api.grpc;

import io.grpc.stub.StreamObserver;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRangeResponse;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.DeleteResponse;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.GetResponse;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.TxnResponse;
import io.rocksraft.server.api.RequestValidator;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.Query;
import io.rocksraft.server.internal.QueryResult;
import io.rocksraft.server.raft.RaftNode;

/** {@code kv.v1.KV}: validates, then hands each request to the Raft layer. */
public final class KvService extends KVGrpc.KVImplBase {
  private final RaftNode node;
  private final RequestValidator validator;
  private final Calls calls;

  public KvService(RaftNode node, RequestValidator validator, Calls calls) {
    this.node = node;
    this.validator = validator;
    this.calls = calls;
  }

  @Override
  public void get(GetRequest req, StreamObserver<GetResponse> out) {
    calls.unary(out, () -> {
      validator.get(req);
      return node.read(Query.newBuilder().setGet(req).build(), req.getRead()).thenApply(QueryResult::getGet);
    });
  }

  @Override
  public void range(RangeRequest req, StreamObserver<RangeResponse> out) {
    calls.unary(out, () -> {
      validator.range(req);
      return node.read(Query.newBuilder().setRange(req).build(), req.getRead()).thenApply(QueryResult::getRange);
    });
  }

  @Override
  public void put(PutRequest req, StreamObserver<PutResponse> out) {
    calls.unary(out, () -> {
      validator.put(req);
      return node.propose(Command.newBuilder().setPut(req).build()).thenApply(CommandResult::getPut);
    });
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<DeleteResponse> out) {
    calls.unary(out, () -> {
      validator.delete(req);
      return node.propose(Command.newBuilder().setDelete(req).build()).thenApply(CommandResult::getDelete);
    });
  }

  @Override
  public void deleteRange(DeleteRangeRequest req, StreamObserver<DeleteRangeResponse> out) {
    calls.unary(out, () -> {
      validator.deleteRange(req);
      return node.propose(Command.newBuilder().setDeleteRange(req).build()).thenApply(CommandResult::getDeleteRange);
    });
  }

  @Override
  public void txn(TxnRequest req, StreamObserver<TxnResponse> out) {
    calls.unary(out, () -> {
      validator.txn(req);
      return node.propose(Command.newBuilder().setTxn(req).build()).thenApply(CommandResult::getTxn);
    });
  }
}
