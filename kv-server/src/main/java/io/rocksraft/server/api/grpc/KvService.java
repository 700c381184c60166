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
import io.rocksraft.server.api.KvOperations;

/** {@code kv.v1.KV}: each call is one of {@link KvOperations}, bounded and mapped by {@link Calls}. */
public final class KvService extends KVGrpc.KVImplBase {
  private final KvOperations ops;
  private final Calls calls;

  public KvService(KvOperations ops, Calls calls) {
    this.ops = ops;
    this.calls = calls;
  }

  @Override
  public void get(GetRequest req, StreamObserver<GetResponse> out) {
    calls.unary(out, () -> ops.get(CallerInterceptor.caller(), req));
  }

  @Override
  public void range(RangeRequest req, StreamObserver<RangeResponse> out) {
    calls.unary(out, () -> ops.range(CallerInterceptor.caller(), req));
  }

  @Override
  public void put(PutRequest req, StreamObserver<PutResponse> out) {
    calls.unary(out, () -> ops.put(CallerInterceptor.caller(), req));
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<DeleteResponse> out) {
    calls.unary(out, () -> ops.delete(CallerInterceptor.caller(), req));
  }

  @Override
  public void deleteRange(DeleteRangeRequest req, StreamObserver<DeleteRangeResponse> out) {
    calls.unary(out, () -> ops.deleteRange(CallerInterceptor.caller(), req));
  }

  @Override
  public void txn(TxnRequest req, StreamObserver<TxnResponse> out) {
    calls.unary(out, () -> ops.txn(CallerInterceptor.caller(), req));
  }
}
