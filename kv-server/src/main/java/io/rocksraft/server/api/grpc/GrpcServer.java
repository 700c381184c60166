package io.rocksraft.server.api.grpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.server.api.KvOperations;
import io.rocksraft.server.api.Membership;
import io.rocksraft.server.api.Watches;
import io.rocksraft.server.raft.RaftNode;
import io.rocksraft.server.security.Authenticator;
import io.rocksraft.server.security.ClientLimiter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client-facing gRPC server: KV, Watch, Cluster, Maintenance, health and reflection. */
public final class GrpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);
  /**
   * Writes run on the event loop that read them: they check the request and hand it to the
   * proposer's queue, never waiting. A hand-off to a pool thread per call cost the leader about an
   * eighth of its CPU (docs/performance.md). Reads stay on the pool: all of a client's calls share
   * one connection and so one event loop, and Gets there read at a third of the pool's rate.
   * Every other call, which may read many keys or wait, runs on the pool too.
   */
  private static final Set<String> ON_EVENT_LOOP = Set.of(
      KVGrpc.getPutMethod().getFullMethodName(),
      KVGrpc.getDeleteMethod().getFullMethodName(),
      KVGrpc.getDeleteRangeMethod().getFullMethodName(),
      KVGrpc.getTxnMethod().getFullMethodName());
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final String address;
  private final ExecutorService executor;

  private final ExecutorService watchExecutor;
  private final Watches watches;

  /** {@code credentials}: TLS, or null for plain text. */
  public GrpcServer(RaftNode node, KvOperations ops, Watches watches, Membership membership,
                    ServerCredentials credentials, Authenticator authenticator, ClientLimiter limiter) {
    this.watches = watches;
    this.address = node.config().clientAddress();
    int colon = address.lastIndexOf(':');
    Calls calls = new Calls(node.config().requestTimeoutMs());
    // Room for a request at the limit plus framing; larger ones are refused by gRPC itself.
    int maxInbound = node.config().limits().maxRequestBytes() * 2 + 64 * 1024;
    // A small fixed pool for the calls not on the event loop: gRPC's default cached pool grows
    // to dozens of threads under load, each paying for Netty's per-thread buffer caches.
    this.executor = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
        daemonThreads("grpc-api"));
    // Watch streams drain the history here, off the apply thread and off the request pool.
    this.watchExecutor = Executors.newFixedThreadPool(2, daemonThreads("grpc-watch"));
    this.server = NettyServerBuilder
        .forAddress(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
            credentials != null ? credentials : InsecureServerCredentials.create())
        .directExecutor()
        .callExecutor(new ServerCallExecutorSupplier() {
          @Override
          public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
            return ON_EVENT_LOOP.contains(call.getMethodDescriptor().getFullMethodName()) ? null : executor;
          }
        })
        .maxInboundMessageSize(maxInbound)
        .intercept(new CallerInterceptor(authenticator, limiter))
        .addService(new KvService(ops, calls))
        .addService(new ClusterService(node, membership, calls))
        .addService(new MaintenanceService(node, calls))
        .addService(new WatchService(watches, watchExecutor, node.memberId()))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .build();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public void start() throws IOException {
    server.start();
    health.setStatus("", ServingStatus.SERVING);
    LOG.info("gRPC API listening on {}", address);
  }

  @Override
  public void close() {
    health.enterTerminalState();
    watches.closeAll();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    } finally {
      executor.shutdownNow();
      watchExecutor.shutdownNow();
    }
  }
}
