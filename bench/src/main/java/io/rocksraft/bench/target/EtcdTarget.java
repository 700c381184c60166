package io.rocksraft.bench.target;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** etcd through jetcd: its gets are linearizable by default, as rocksraft's are. */
public final class EtcdTarget implements Target {
  private final Client client;
  private final KV kv;

  /** @param endpoints {@code http://host:port} URLs of the members' client ports */
  public EtcdTarget(List<String> endpoints, Duration timeout) {
    this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).connectTimeout(timeout)
        .retryMaxDuration(timeout).build();
    this.kv = client.getKVClient();
  }

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public CompletableFuture<Void> put(byte[] key, byte[] value) {
    return kv.put(ByteSequence.from(key), ByteSequence.from(value)).thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> get(byte[] key) {
    return kv.get(ByteSequence.from(key)).thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Integer> scan(byte[] from, byte[] to, int limit) {
    GetOption range = GetOption.builder().withRange(ByteSequence.from(to)).withLimit(limit).build();
    return kv.get(ByteSequence.from(from), range).thenApply(r -> r.getKvs().size());
  }

  @Override
  public CompletableFuture<Void> putAll(List<Pair> pairs) {
    Op[] puts = pairs.stream()
        .map(p -> Op.put(ByteSequence.from(p.key()), ByteSequence.from(p.value()), PutOption.DEFAULT))
        .toArray(Op[]::new);
    return kv.txn().Then(puts).commit().thenApply(r -> null);
  }

  @Override
  public void close() {
    client.close();
  }
}
