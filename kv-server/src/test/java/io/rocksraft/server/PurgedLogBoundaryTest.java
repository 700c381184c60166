package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.server.raft.RaftNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A follower whose next entry is exactly the first one the leader's log still holds after a
 * purge: the entry before it, which an append must name, is gone. Ratis 3.2.2 throws in the
 * leader's log appender there and never restarts it, so the follower would stay behind for as
 * long as that leader leads (RATIS-2487, found by the fault-injection run). A new term starts a
 * new log segment, so a follower that was down across a leader change, then a snapshot and its
 * purge, lands exactly there; the node's appender sends it a snapshot instead.
 */
class PurgedLogBoundaryTest {
  private TestCluster t;

  @AfterEach
  void stop() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  /** The lowest first index of the node's Ratis log segments. */
  private long logStart(String nodeId) throws IOException {
    Path dir = t.cluster.node(nodeId).dataDir().resolve("raft")
        .resolve(RaftNode.groupId("rocksraft").getUuid().toString()).resolve("current");
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("log_"))
          .mapToLong(n -> Long.parseLong(n.replace("log_inprogress_", "").replace("log_", "").split("-")[0]))
          .min().orElseThrow();
    }
  }

  @Test
  void aFollowerWhoseNextEntryOpensTheLeadersPurgedLogIsSentASnapshot() throws Exception {
    // No automatic snapshots, and segments that roll only at a new term: the boundary is known.
    t = TestCluster.start(3, """
        snapshot:
          autoTriggerThreshold: 100000000
        ratis:
          raft.server.log.segment.size.max: 64MB
        """);
    KvClient client = t.client();
    TestCluster.putMany(client, "before/", 200);
    String oldLeader = t.leader();
    String newLeader = t.followers(oldLeader).get(0);
    String lagging = t.followers(oldLeader).get(1);
    t.awaitCaughtUp(lagging);
    long laggingLast = t.status(lagging).orElseThrow().getAppliedIndex();
    t.cluster.kill(lagging);

    assertThat(t.client(oldLeader).transferLeadership(newLeader)).isEqualTo(newLeader);
    TestCluster.putMany(client, "after/", 50);
    long snapshotIndex = t.client(newLeader).snapshot().get(0).getIndex();
    await().atMost(Duration.ofSeconds(30)).until(() -> logStart(newLeader) > 1);
    assertThat(logStart(newLeader)).as("the new term's segment starts right after the lagging follower's last entry")
        .isEqualTo(laggingLast + 1);

    t.cluster.start(lagging);
    t.awaitCaughtUp(lagging);

    StatusResponse status = t.status(lagging).orElseThrow();
    assertThat(status.getAppliedIndex()).isGreaterThanOrEqualTo(snapshotIndex);
    assertThat(TestCluster.sample(t.scrape(lagging), "rocksraft_snapshot_installed_total")).isEqualTo(1);
    List<KeyValue> after = t.scanOn(lagging, "after/");
    assertThat(after).hasSize(50);
    t.assertReplicasAgree(client);
  }
}
