package io.rocksraft.server.raft;

import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis' gRPC log appender, safe at the start of a purged log. When a follower's next entry is
 * the first the leader still holds, the entry before it (which an append must name) was purged
 * and is not the snapshot's: Ratis 3.2.2 then fails the appender on a null check and never
 * restarts it (RATIS-2487), and the follower stays behind while that leader leads. A new term
 * opens a new log segment, so a follower that was away across a leader change, a snapshot and
 * its purge lands exactly there. Instead, this appender moves the follower's next index below
 * the log start, where Ratis' own check sends (or, with the tier, notifies) a snapshot.
 */
final class PurgeSafeLogAppender extends GrpcLogAppender {
  private static final Logger LOG = LoggerFactory.getLogger(PurgeSafeLogAppender.class);

  PurgeSafeLogAppender(RaftServer.Division server, LeaderState leaderState, FollowerInfo follower) {
    super(server, leaderState, follower);
  }

  @Override
  public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat) throws RaftLogIOException {
    if (!heartbeat && previousEntryPurged()) {
      FollowerInfo f = getFollower();
      long start = getRaftLog().getStartIndex();
      LOG.info("{}: the entry before {}'s next index {} is purged (log starts at {}): a snapshot instead",
          getServer().getMemberId(), f.getId(), f.getNextIndex(), start);
      f.decreaseNextIndex(start - 1);
      getEventAwaitForSignal().signal();
      return null;
    }
    return super.newAppendEntriesRequest(callId, heartbeat);
  }

  /** Whether an append to the follower would have entries to send but no previous entry to name. */
  private boolean previousEntryPurged() {
    FollowerInfo f = getFollower();
    long next = f.getNextIndex();
    RaftLog log = getRaftLog();
    if (next <= RaftLog.LEAST_VALID_LOG_INDEX || next >= log.getNextIndex() || next == f.getSnapshotIndex() + 1) {
      return false;
    }
    if (log.getTermIndex(next - 1) != null) {
      return false;
    }
    SnapshotInfo snapshot = getServer().getStateMachine().getLatestSnapshot();
    return snapshot == null || snapshot.getIndex() != next - 1;
  }
}
