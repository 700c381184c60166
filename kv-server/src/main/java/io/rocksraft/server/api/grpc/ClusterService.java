package io.rocksraft.server.api.grpc;

import io.grpc.stub.StreamObserver;
import io.rocksraft.api.v1.ClusterGrpc;
import io.rocksraft.api.v1.LeaderTransferRequest;
import io.rocksraft.api.v1.LeaderTransferResponse;
import io.rocksraft.api.v1.MemberAddRequest;
import io.rocksraft.api.v1.MemberAddResponse;
import io.rocksraft.api.v1.MemberListRequest;
import io.rocksraft.api.v1.MemberListResponse;
import io.rocksraft.api.v1.MemberRemoveRequest;
import io.rocksraft.api.v1.MemberRemoveResponse;
import io.rocksraft.api.v1.StatusRequest;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.server.api.Membership;
import io.rocksraft.server.raft.RaftNode;
import java.util.concurrent.CompletableFuture;

/** {@code kv.v1.Cluster}: the group as this node sees it, and changes to it. */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final RaftNode node;
  private final Membership membership;
  private final Calls calls;

  public ClusterService(RaftNode node, Membership membership, Calls calls) {
    this.node = node;
    this.membership = membership;
    this.calls = calls;
  }

  @Override
  public void status(StatusRequest req, StreamObserver<StatusResponse> out) {
    calls.unary(out, () -> CompletableFuture.completedFuture(node.status()));
  }

  @Override
  public void leaderTransfer(LeaderTransferRequest req, StreamObserver<LeaderTransferResponse> out) {
    calls.unary(out, () -> {
      CallerInterceptor.caller().requireAdmin("a leader transfer");
      return node.transferLeadership(req.getId())
          .thenApply(id -> LeaderTransferResponse.newBuilder().setLeaderId(id).build());
    });
  }

  @Override
  public void memberList(MemberListRequest req, StreamObserver<MemberListResponse> out) {
    calls.unary(out, () -> {
      StatusResponse s = node.status();
      return CompletableFuture.completedFuture(MemberListResponse.newBuilder()
          .addAllMembers(s.getMembersList()).setLeaderId(s.getLeaderId()).build());
    });
  }

  @Override
  public void memberAdd(MemberAddRequest req, StreamObserver<MemberAddResponse> out) {
    calls.unary(out, membership.timeoutMs(), () -> {
      CallerInterceptor.caller().requireAdmin("a member add");
      return membership.add(req.getMember())
          .thenApply(members -> MemberAddResponse.newBuilder().addAllMembers(members).build());
    });
  }

  @Override
  public void memberRemove(MemberRemoveRequest req, StreamObserver<MemberRemoveResponse> out) {
    calls.unary(out, membership.timeoutMs(), () -> {
      CallerInterceptor.caller().requireAdmin("a member remove");
      return membership.remove(req.getId())
          .thenApply(members -> MemberRemoveResponse.newBuilder().addAllMembers(members).build());
    });
  }
}
