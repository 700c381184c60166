package io.rocksraft.bench.target;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.client.KvClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** rocksraft through its Java client: puts, linearizable gets and ranges, transactions for the load. */
public final class RocksraftTarget implements Target {
  private final KvClient client;

  public RocksraftTarget(List<String> endpoints, Duration timeout) {
    this.client = KvClient.builder().endpoints(endpoints).timeout(timeout).build();
  }

  @Override
  public String name() {
    return "rocksraft";
  }

  @Override
  public CompletableFuture<Void> put(byte[] key, byte[] value) {
    return client.async().put(bytes(key), bytes(value)).thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> get(byte[] key) {
    return client.async().get(bytes(key)).thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Integer> scan(byte[] from, byte[] to, int limit) {
    RangeRequest range = RangeRequest.newBuilder().setStart(bytes(from)).setEnd(bytes(to)).setLimit(limit).build();
    return client.async().range(range).thenApply(r -> r.getKvsCount());
  }

  @Override
  public CompletableFuture<Void> putAll(List<Pair> pairs) {
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    for (Pair p : pairs) {
      txn.addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(bytes(p.key())).setValue(bytes(p.value()))));
    }
    return client.async().txn(txn.build()).thenApply(r -> null);
  }

  /** The generator never changes an array after handing it over, so no copy is needed. */
  private static ByteString bytes(byte[] b) {
    return UnsafeByteOperations.unsafeWrap(b);
  }

  @Override
  public void close() {
    client.close();
  }
}
