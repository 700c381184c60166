package io.rocksraft.server.ops;

import com.codahale.metrics.health.HealthCheck;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.raft.RaftNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * The {@code raft} health check: this node is a member of the group's current configuration,
 * knows a leader, has heard from it lately (a leader: from a majority), and applies what is
 * committed without falling far behind. A node that fails it cannot serve linearizable
 * requests soon, so a load balancer should send them elsewhere.
 */
public final class RaftHealthCheck extends HealthCheck {
  public static final String NAME = "raft";

  /** What the check judges, read from Ratis at one moment; silences are in milliseconds. */
  record Observation(String self, boolean member, RaftPeerRole role, long term, String leader,
                     long leaderSilenceMs, int voters, Map<String, Long> followerSilenceMs,
                     long commitIndex, long appliedIndex) {}

  private final RaftNode node;
  private final NodeConfig.Health bounds;

  public RaftHealthCheck(RaftNode node, NodeConfig.Health bounds) {
    this.node = node;
    this.bounds = bounds;
  }

  @Override
  protected Result check() throws Exception {
    return judge(observe(node.division()), bounds);
  }

  static Observation observe(RaftServer.Division division) {
    DivisionInfo info = division.getInfo();
    // Applied before commit: read in this order the lag is never under-reported.
    long applied = info.getLastAppliedIndex();
    long commit = division.getRaftLog().getLastCommittedIndex();
    RoleInfoProto role = info.getRoleInfoProto();
    RaftConfiguration conf = division.getRaftConf();
    Set<RaftPeerId> voters = conf.getCurrentPeers(RaftPeerRole.FOLLOWER).stream().map(RaftPeer::getId)
        .collect(Collectors.toSet());
    boolean member = voters.contains(division.getId())
        || conf.getCurrentPeers(RaftPeerRole.LISTENER).stream().anyMatch(p -> p.getId().equals(division.getId()));
    long leaderSilence = role.hasFollowerInfo() ? role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs()
        : role.hasCandidateInfo() ? role.getCandidateInfo().getLastLeaderElapsedTimeMs() : 0;
    Map<String, Long> followerSilences = new TreeMap<>();
    if (role.hasLeaderInfo()) {
      for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
        RaftPeerId id = RaftPeerId.valueOf(f.getId().getId());
        if (voters.contains(id)) {
          followerSilences.put(id.toString(), f.getLastRpcElapsedTimeMs());
        }
      }
    }
    RaftPeerId leader = info.getLeaderId();
    return new Observation(division.getId().toString(), member, role.getRole(), info.getCurrentTerm(),
        leader == null ? null : leader.toString(), leaderSilence, voters.size(), followerSilences, commit, applied);
  }

  /** Healthy only if every condition holds; the message names each one that does not, with its numbers. */
  static Result judge(Observation o, NodeConfig.Health bounds) {
    List<String> failed = new ArrayList<>();
    long maxSilence = bounds.maxLeaderSilenceMs();
    if (!o.member()) {
      failed.add(o.self() + " is not a member of the group's current configuration");
    }
    if (o.leader() == null) {
      failed.add("no leader known (" + o.role() + " in term " + o.term()
          + (o.role() == RaftPeerRole.CANDIDATE ? ", last leader " + o.leaderSilenceMs() + " ms ago" : "") + ")");
    } else if (o.role() == RaftPeerRole.LEADER) {
      long heard = 1 + o.followerSilenceMs().values().stream().filter(ms -> ms <= maxSilence).count();
      int majority = o.voters() / 2 + 1;
      if (heard < majority) {
        failed.add("leader heard from " + heard + " of " + o.voters() + " voting members (self included) within "
            + maxSilence + " ms, needs " + majority + "; last answers " + o.followerSilenceMs() + " ms ago");
      }
    } else if (o.leaderSilenceMs() > maxSilence) {
      failed.add("last RPC from leader " + o.leader() + " " + o.leaderSilenceMs() + " ms ago, bound " + maxSilence
          + " ms");
    }
    long lag = Math.max(0, o.commitIndex() - o.appliedIndex());
    if (lag >= bounds.maxAppliedLag()) {
      failed.add("applied index " + o.appliedIndex() + " lags commit index " + o.commitIndex() + " by " + lag
          + " entries, bound " + bounds.maxAppliedLag());
    }
    ResultBuilder result = failed.isEmpty()
        ? Result.builder().healthy().withMessage("%s %s in term %d, leader %s, applied %d of %d committed",
            o.self(), o.role(), o.term(), o.leader(), o.appliedIndex(), o.commitIndex())
        : Result.builder().unhealthy().withMessage(String.join("; ", failed));
    return result
        .withDetail("role", o.role().name())
        .withDetail("term", o.term())
        .withDetail("leader", o.leader() == null ? "" : o.leader())
        .withDetail("commitIndex", o.commitIndex())
        .withDetail("appliedIndex", o.appliedIndex())
        .build();
  }
}
