package io.rocksraft.server.api;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rocksraft.api.v1.ClusterGrpc;
import io.rocksraft.api.v1.Member;
import io.rocksraft.api.v1.StatusRequest;
import io.rocksraft.api.v1.StatusResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every member's own status (role, term, commit and applied index), asked of each member over
 * its gRPC address in parallel; this node answers for itself without a call.
 */
public final class MemberStatuses implements AutoCloseable {
  /** A member's answer, or why there is none. */
  public record Answer(Member member, StatusResponse status, String error) {}

  private static final long DEADLINE_MS = 1000;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final ChannelCredentials credentials;

  /** {@code credentials}: this node's TLS as a client of the others, or null for plain text. */
  public MemberStatuses(ChannelCredentials credentials) {
    this.credentials = credentials != null ? credentials : InsecureChannelCredentials.create();
  }

  /** Each member of {@code self} (this node's status), answered by itself. */
  public CompletableFuture<List<Answer>> all(StatusResponse self) {
    List<CompletableFuture<Answer>> each = new ArrayList<>();
    for (Member m : self.getMembersList()) {
      if (m.getId().equals(self.getMemberId())) {
        each.add(CompletableFuture.completedFuture(new Answer(m, self, null)));
      } else if (m.getClientAddress().isEmpty()) {
        each.add(CompletableFuture.completedFuture(new Answer(m, null, "its gRPC address is not known here")));
      } else {
        each.add(ask(m));
      }
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
  }

  /** One member's answer, asked at its gRPC address. */
  public CompletableFuture<Answer> ask(Member m) {
    ManagedChannel channel = channels.computeIfAbsent(m.getClientAddress(),
        a -> NettyChannelBuilder.forTarget(a, credentials).build());
    CompletableFuture<Answer> out = new CompletableFuture<>();
    // Wait for ready: a channel cached while the member was down would otherwise fail at once
    // for as long as its reconnect backoff lasts.
    Futures.addCallback(ClusterGrpc.newFutureStub(channel).withWaitForReady()
        .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
        .status(StatusRequest.getDefaultInstance()), new FutureCallback<>() {
          @Override
          public void onSuccess(StatusResponse s) {
            out.complete(new Answer(m, s, null));
          }

          @Override
          public void onFailure(Throwable t) {
            Status s = Status.fromThrowable(t);
            out.complete(new Answer(m, null, s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription())));
          }
        }, MoreExecutors.directExecutor());
    return out;
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
