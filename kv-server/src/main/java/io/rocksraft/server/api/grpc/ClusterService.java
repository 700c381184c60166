package io.rocksraft.server.api.grpc;

import io.grpc.stub.StreamObserver;
import io.rocksraft.api.v1.ClusterGrpc;
import io.rocksraft.api.v1.LeaderTransferRequest;
import io.rocksraft.api.v1.LeaderTransferResponse;
import io.rocksraft.api.v1.StatusRequest;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.server.raft.RaftNode;
import java.util.concurrent.CompletableFuture;

/** {@code kv.v1.Cluster}: the group as this node sees it. */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final RaftNode node;
  private final Calls calls;

  public ClusterService(RaftNode node, Calls calls) {
    this.node = node;
    this.calls = calls;
  }

  @Override
  public void status(StatusRequest req, StreamObserver<StatusResponse> out) {
    calls.unary(out, () -> CompletableFuture.completedFuture(node.status()));
  }

  @Override
  public void leaderTransfer(LeaderTransferRequest req, StreamObserver<LeaderTransferResponse> out) {
    calls.unary(out, () -> node.transferLeadership(req.getId())
        .thenApply(id -> LeaderTransferResponse.newBuilder().setLeaderId(id).build()));
  }
}
