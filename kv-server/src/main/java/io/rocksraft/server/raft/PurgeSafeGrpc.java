package io.rocksraft.server.raft;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis' gRPC transport with {@link PurgeSafeLogAppender} as the leader's log appender. Named
 * by class in the Ratis properties ({@code raft.rpc.type}), which is how Ratis takes a
 * user-defined transport; everything else is Ratis' own gRPC.
 */
public final class PurgeSafeGrpc implements RpcType {
  /** Ratis instantiates it by reflection. */
  public PurgeSafeGrpc() {}

  @Override
  public String name() {
    return PurgeSafeGrpc.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new Factory(parameters);
  }

  private static final class Factory extends GrpcFactory {
    Factory(Parameters parameters) {
      super(parameters);
    }

    @Override
    public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo f) {
      return new PurgeSafeLogAppender(server, state, f);
    }
  }
}
