package io.rocksraft.client;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rocksraft.api.v1.ClusterGrpc;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.MaintenanceGrpc;
import io.rocksraft.api.v1.WatchGrpc;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** One node the client talks to: its address, channel and stubs. */
final class Endpoint {
  final String address;
  final ManagedChannel channel;
  final KVGrpc.KVFutureStub kv;
  final ClusterGrpc.ClusterFutureStub cluster;
  final MaintenanceGrpc.MaintenanceFutureStub maintenance;
  final WatchGrpc.WatchStub watch;
  /** Learned from its answers; null until then. */
  volatile String memberId;
  volatile long failedAtNanos;

  /**
   * {@code credentials}: TLS, or null for plain text; {@code perCall}: a bearer token, or null;
   * {@code answers}: where the channel runs the answers of calls.
   */
  Endpoint(String address, int maxInboundBytes, ChannelCredentials credentials, CallCredentials perCall,
           Executor answers) {
    this.address = address;
    this.channel = NettyChannelBuilder
        .forTarget(address, credentials != null ? credentials : InsecureChannelCredentials.create())
        .maxInboundMessageSize(maxInboundBytes).executor(answers).build();
    this.kv = KVGrpc.newFutureStub(channel).withCallCredentials(perCall);
    this.cluster = ClusterGrpc.newFutureStub(channel).withCallCredentials(perCall);
    this.maintenance = MaintenanceGrpc.newFutureStub(channel).withCallCredentials(perCall);
    this.watch = WatchGrpc.newStub(channel).withCallCredentials(perCall);
  }

  void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return address;
  }
}
