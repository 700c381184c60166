package io.rocksraft.server.api.grpc;

import io.grpc.stub.StreamObserver;
import io.rocksraft.api.v1.HashPointRequest;
import io.rocksraft.api.v1.HashPointResponse;
import io.rocksraft.api.v1.HashRequest;
import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.MaintenanceGrpc;
import io.rocksraft.api.v1.SnapshotRequest;
import io.rocksraft.api.v1.SnapshotResponse;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.HashPoint;
import io.rocksraft.server.raft.RaftNode;

/** {@code kv.v1.Maintenance}: consistency checks across replicas, snapshots on demand. */
public final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
  private final RaftNode node;
  private final Calls calls;

  public MaintenanceService(RaftNode node, Calls calls) {
    this.node = node;
    this.calls = calls;
  }

  @Override
  public void hashPoint(HashPointRequest req, StreamObserver<HashPointResponse> out) {
    calls.unary(out, () -> {
      CallerInterceptor.caller().requireAdmin("a hash point");
      return node.propose(Command.newBuilder().setHashPoint(HashPoint.getDefaultInstance()).build())
          .thenApply(CommandResult::getHashPoint);
    });
  }

  @Override
  public void hash(HashRequest req, StreamObserver<HashResponse> out) {
    calls.unary(out, () -> {
      CallerInterceptor.caller().requireAdmin("a state hash");
      if (req.getIndex() < 1) {
        throw KvException.invalid("index must be a hash point's log index (at least 1)");
      }
      return node.hashAt(req.getIndex());
    });
  }

  @Override
  public void snapshot(SnapshotRequest req, StreamObserver<SnapshotResponse> out) {
    calls.unary(out, () -> {
      CallerInterceptor.caller().requireAdmin("a snapshot");
      return node.takeSnapshot();
    });
  }
}
