package io.rocksraft.server;

import io.rocksraft.server.api.grpc.GrpcServer;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.raft.RaftNode;
import java.io.IOException;

/** A running node: the Raft member and the client API in front of it, started and stopped in order. */
public final class Node implements AutoCloseable {
  private final RaftNode raft;
  private final GrpcServer grpc;

  private Node(RaftNode raft, GrpcServer grpc) {
    this.raft = raft;
    this.grpc = grpc;
  }

  public static Node start(NodeConfig config) throws IOException {
    RaftNode raft = new RaftNode(config.validate());
    try {
      raft.start();
      GrpcServer grpc = new GrpcServer(raft);
      grpc.start();
      return new Node(raft, grpc);
    } catch (IOException | RuntimeException e) {
      raft.close();
      throw e;
    }
  }

  public RaftNode raft() {
    return raft;
  }

  /** Stops taking requests first, then Raft, then closes RocksDB (syncing its WAL). */
  @Override
  public void close() throws IOException {
    try {
      grpc.close();
    } finally {
      raft.close();
    }
  }
}
