package io.rocksraft.server.state;

import java.io.IOException;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a follower that the leader told to install a snapshot gets its state (with the tier on,
 * Ratis sends no snapshots itself): from the bucket when it holds one new enough, else from the
 * leader's log when that still reaches back to this member's next entry, else from a copy of the
 * leader's latest snapshot ({@link LeaderSnapshotCopy}). The bucket spares the leader; the other
 * two keep the group live while the bucket is down, empty, or serves a corrupt object.
 *
 * <p>Ratis 3.2.2 tells a member that is being added to install a snapshot whether or not the
 * leader purged anything (every bootstrapping member "should try to install one"). A snapshot is
 * then a shortcut, not a need: when the bucket has none, answering "none" lets the leader send its
 * log, where waiting for the bucket would stall the membership change for good.
 */
final class SnapshotCatchUp {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCatchUp.class);

  /** Where the state comes from. */
  enum Source { BUCKET, LEADER_LOG, LEADER_SNAPSHOT }

  /** The source, and the snapshot to install (empty for the leader's log). */
  record Plan(Source source, Optional<SnapshotStore.Local> snapshot) {}

  private final SnapshotTransfer transfer;
  private final LeaderSnapshotCopy leaderCopy;
  private final SnapshotStore snapshots;
  private final String memberId;

  SnapshotCatchUp(SnapshotTransfer transfer, LeaderSnapshotCopy leaderCopy, SnapshotStore snapshots,
                  String memberId) {
    this.transfer = transfer;
    this.leaderCopy = leaderCopy;
    this.snapshots = snapshots;
    this.memberId = memberId;
  }

  /**
   * Gets what this member needs when {@code leader}'s log starts at {@code leaderLogStart} and
   * this member's own log would go on at {@code ownNextIndex}.
   *
   * @throws IOException when no source can serve it now (Ratis asks again)
   */
  Plan catchUp(RaftPeer leader, long leaderLogStart, long ownNextIndex) throws IOException {
    boolean logReaches = leaderLogStart <= ownNextIndex;
    // With the log in reach, only a snapshot ahead of this member's log is worth installing.
    long needed = logReaches ? ownNextIndex : Math.max(0, leaderLogStart - 1);
    if (transfer.fetch(needed, !logReaches, snapshots.root()).isPresent()) {
      return new Plan(Source.BUCKET, Optional.of(installable(needed)));
    }
    if (logReaches) {
      LOG.info("[{}] the leader's log starts at {}, this member's goes on at {}: catching up from the log",
          memberId, leaderLogStart, ownNextIndex);
      return new Plan(Source.LEADER_LOG, Optional.empty());
    }
    if (leader == null) {
      throw new IOException("no snapshot at index " + needed + " or later in the bucket, and no leader to copy"
          + " one from");
    }
    LOG.info("[{}] no snapshot at index {} or later from the bucket: copying the leader {}'s", memberId, needed,
        leader.getId());
    leaderCopy.copy(leader, needed);
    return new Plan(Source.LEADER_SNAPSHOT, Optional.of(installable(needed)));
  }

  /** The snapshot just brought in, made the latest this node knows. */
  private SnapshotStore.Local installable(long needed) throws IOException {
    return snapshots.reload().filter(l -> l.index() >= needed)
        .orElseThrow(() -> new IOException("no snapshot at index " + needed + " or later after fetching one"));
  }
}
