package io.rocksraft.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck.Result;
import io.rocksraft.server.config.NodeConfig;
import java.util.Map;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.junit.jupiter.api.Test;

/** The judgement of the {@code raft} check on observations; the cluster test covers reading them from Ratis. */
class RaftHealthCheckTest {
  private static final NodeConfig.Health BOUNDS = new NodeConfig.Health(5000L, 100L, null);

  private static RaftHealthCheck.Observation follower(long leaderSilenceMs, long commit, long applied) {
    return new RaftHealthCheck.Observation("n2", true, RaftPeerRole.FOLLOWER, 3, "n1", leaderSilenceMs, 3, Map.of(),
        commit, applied);
  }

  private static void assertUnhealthy(RaftHealthCheck.Observation o, String... messageParts) {
    Result r = RaftHealthCheck.judge(o, BOUNDS);
    assertThat(r.isHealthy()).as(r.getMessage()).isFalse();
    assertThat(r.getMessage()).contains(messageParts);
  }

  private static RaftHealthCheck.Observation leader(Map<String, Long> followerSilenceMs) {
    return new RaftHealthCheck.Observation("n1", true, RaftPeerRole.LEADER, 3, "n1", 0, 3, followerSilenceMs, 10, 10);
  }

  @Test
  void aFollowerThatHearsItsLeaderAndKeepsUpIsHealthy() {
    Result r = RaftHealthCheck.judge(follower(150, 42, 40), BOUNDS);
    assertThat(r.isHealthy()).as(r.getMessage()).isTrue();
    assertThat(r.getMessage()).contains("FOLLOWER", "leader n1", "applied 40 of 42");
  }

  @Test
  void aFollowerWhoseLeaderIsSilentTooLongIsUnhealthy() {
    assertUnhealthy(follower(7000, 42, 42), "last RPC from leader n1 7000 ms ago, bound 5000 ms");
  }

  @Test
  void aCandidateKnowsNoLeader() {
    assertUnhealthy(new RaftHealthCheck.Observation("n2", true, RaftPeerRole.CANDIDATE, 4, null, 2500, 3, Map.of(), 42,
        42), "no leader known (CANDIDATE in term 4, last leader 2500 ms ago)");
  }

  @Test
  void aLeaderNeedsAMajorityThatAnsweredWithinTheBound() {
    assertThat(RaftHealthCheck.judge(leader(Map.of("n2", 100L, "n3", 9000L)), BOUNDS).isHealthy()).isTrue();
    assertUnhealthy(leader(Map.of("n2", 8000L, "n3", 9000L)), "leader heard from 1 of 3 voting members", "needs 2");
  }

  @Test
  void applyingFarBehindTheCommitIndexIsUnhealthy() {
    assertUnhealthy(follower(100, 1000, 800), "applied index 800 lags commit index 1000 by 200 entries, bound 100");
  }

  @Test
  void aNodeOutsideTheConfigurationIsUnhealthy() {
    assertUnhealthy(new RaftHealthCheck.Observation("n4", false, RaftPeerRole.FOLLOWER, 3, "n1", 100, 3, Map.of(), 10,
        10), "n4 is not a member of the group's current configuration");
  }
}
