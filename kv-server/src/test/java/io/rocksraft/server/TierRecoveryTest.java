package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.SnapshotResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.server.cli.BackupCommands;
import io.rocksraft.server.local.LocalCluster;
import io.rocksraft.server.state.FileOps;
import io.rocksraft.server.tier.S3ProxyServer;
import io.rocksraft.server.tier.SnapshotPosition;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The object-storage tier on three node processes: the leader ships its snapshots to a bucket (a
 * real S3 server in this JVM, or a directory), a follower that lost its disk comes back from the
 * bucket instead of from the leader, and a bucket that goes away costs health, not service.
 */
class TierRecoveryTest {
  private static S3ProxyServer s3;
  private static Path directories;
  private TestCluster t;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3ProxyServer.create();
    directories = Files.createTempDirectory("rocksraft-tier-test");
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
    FileOps.deleteTree(directories);
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  /**
   * Snapshots only when asked, small Ratis segments (so purging shows), the tier on this backend;
   * a follower gives up on the bucket after 5 s.
   */
  private static String nodeYaml(String backend) {
    String tier = backend.equals("s3") ? """
        tier:
          enabled: true
          bucketWaitMs: 5000
          backend: s3
          s3: {endpoint: '%s', region: us-east-1, bucket: %s, prefix: '%s', pathStyle: true,
               accessKey: %s, secretKey: %s}
        """.formatted(s3.endpoint(), S3ProxyServer.BUCKET, "t-" + UUID.randomUUID() + "/",
        S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
        : """
        tier:
          enabled: true
          bucketWaitMs: 5000
          backend: directory
          directory: '%s'
        """.formatted(directories.resolve(UUID.randomUUID().toString()));
    return """
        snapshot:
          autoTriggerThreshold: 10000000
        ratis:
          raft.server.log.segment.size.max: 8KB
        """ + tier;
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** The node's {@code tier} health check. */
  private static JsonNode tierHealth(TestCluster c, String nodeId) throws Exception {
    return Rest.JSON.readTree(c.admin(nodeId, "/healthcheck").body()).get("tier");
  }

  private JsonNode tierHealth(String nodeId) throws Exception {
    return tierHealth(t, nodeId);
  }

  private long lastUploadedIndex(String nodeId) throws Exception {
    return tierHealth(nodeId).get("lastUploadedIndex").asLong();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"s3", "directory"})
  void aFollowerWhoseDiskWasWipedComesBackFromTheBucketAndCatchesUp(String backend) throws Exception {
    t = TestCluster.start(3, nodeYaml(backend));
    KvClient client = t.client();
    TestCluster.putMany(client, "tier/", 50_000);
    String leader = t.leader();
    long snapshotIndex = t.client(leader).snapshot().get(0).getIndex();
    await().atMost(Duration.ofSeconds(60)).until(() -> lastUploadedIndex(leader) >= snapshotIndex);

    String wiped = t.followers(leader).get(0);
    t.cluster.kill(wiped);
    FileOps.deleteTree(t.cluster.node(wiped).dataDir());
    TestCluster.putMany(client, "tier-after/", 500);
    t.cluster.start(wiped);
    t.awaitCaughtUp(wiped);

    assertThat(t.scanOn(wiped, "tier/")).hasSize(50_000);
    assertThat(t.scanOn(wiped, "tier-after/")).as("written while it was away").hasSize(500);
    String scrape = t.scrape(wiped);
    assertThat(TestCluster.sample(scrape, "rocksraft_snapshot_installed_from_tier_total")).isEqualTo(1);
    assertThat(TestCluster.sample(scrape, "rocksraft_snapshot_installed_total")).as("sent by the leader").isZero();
    assertThat(TestCluster.sample(scrape, "rocksraft_snapshot_install_received_bytes_total")).isZero();
    assertThat(TestCluster.sample(scrape, "rocksraft_tier_download_bytes_total")).isPositive();
    t.assertReplicasAgree(client);
  }

  /**
   * Ratis tells every member it adds to install a snapshot, even while the leader's log still
   * starts at its first entry. With nothing in the bucket the new member must catch up from that
   * log rather than wait for a snapshot that no one uploads.
   */
  @Test
  void aMemberAddedBeforeAnySnapshotIsInTheBucketCatchesUpFromTheLeadersLog() throws Exception {
    t = TestCluster.start(3, nodeYaml("s3"));
    KvClient client = t.client();
    TestCluster.putMany(client, "young/", 200);
    String leader = t.leader();
    LocalCluster.NodeSpec n4 = t.cluster.addNode();
    t.cluster.start(n4.id());
    await().atMost(Duration.ofSeconds(60)).until(() -> t.status(n4.id()).isPresent());

    Rest.Answer added = Rest.send(t.cluster.node(leader).restAddress(), "POST", "/v1/cluster/members",
        "{\"id\": \"n4\", \"raftAddress\": \"" + n4.raftAddress() + "\", \"clientAddress\": \""
            + n4.clientAddress() + "\"}");

    assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
    t.awaitCaughtUp(n4.id());
    assertThat(t.scanOn(n4.id(), "young/")).hasSize(200);
    String scrape = t.scrape(n4.id());
    assertThat(TestCluster.sample(scrape, "rocksraft_snapshot_installed_from_tier_total")).isZero();
    assertThat(TestCluster.sample(scrape, "rocksraft_snapshot_installed_total")).isZero();
    t.assertReplicasAgree(t.client()); // a client of all four nodes
  }

  /**
   * While the bucket is down the leader still takes snapshots and purges its log below them, so a
   * follower that lost its disk needs a snapshot the bucket neither has nor could serve. It copies
   * the leader's own instead, once it has waited tier.bucketWaitMs for the bucket.
   */
  @Test
  void aFollowerWhoseDiskWasWipedWhileTheBucketIsDownCatchesUpFromTheLeader() throws Exception {
    t = TestCluster.start(3, nodeYaml("s3"));
    KvClient client = t.client();
    TestCluster.putMany(client, "down/", 2000);
    String leader = t.leader();
    long uploaded = t.client(leader).snapshot().get(0).getIndex();
    await().atMost(Duration.ofSeconds(60)).until(() -> lastUploadedIndex(leader) >= uploaded);
    String wiped = t.followers(leader).get(0);
    t.cluster.kill(wiped);
    FileOps.deleteTree(t.cluster.node(wiped).dataDir());
    s3.stop();
    try {
      TestCluster.putMany(client, "down-during/", 3000);
      long purgedTo = t.client(leader).snapshot().get(0).getIndex();
      assertThat(lastUploadedIndex(leader)).isLessThan(purgedTo);
      await().atMost(Duration.ofSeconds(30)).until(() ->
          TestCluster.sample(t.scrape(leader), "rocksraft_raft_log_first_index") > uploaded + 1);

      t.cluster.start(wiped);
      t.awaitCaughtUp(wiped);

      assertThat(t.scanOn(wiped, "down/")).hasSize(2000);
      assertThat(t.scanOn(wiped, "down-during/")).hasSize(3000);
      String scrape = t.scrape(wiped);
      assertThat(TestCluster.sample(scrape, "rocksraft_snapshot_installed_total")).as("copied from the leader")
          .isEqualTo(1);
      assertThat(TestCluster.sample(scrape, "rocksraft_snapshot_install_received_bytes_total")).isPositive();
      assertThat(TestCluster.sample(scrape, "rocksraft_snapshot_installed_from_tier_total")).isZero();
      t.assertReplicasAgree(client);
    } finally {
      s3.restart();
    }
  }

  @Test
  void aNewClusterRestoredFromAManifestHoldsEveryKeyAtTheSameRevision() throws Exception {
    t = TestCluster.start(3, nodeYaml("s3"));
    KvClient client = t.client();
    TestCluster.putMany(client, "restore/", 3000);
    client.delete(b("restore/00007"));
    client.put(b("restore/00008"), b("overwritten"));
    String leader = t.leader();
    long snapshotIndex = t.client(leader).snapshot().get(0).getIndex();
    await().atMost(Duration.ofSeconds(60)).until(() -> lastUploadedIndex(leader) >= snapshotIndex);
    List<KeyValue> before = t.scanOn(leader, "restore/");
    long revision = t.status(leader).orElseThrow().getRevision();
    String source = t.cluster.node("n1").configFile().toString();

    StringWriter listed = new StringWriter();
    assertThat(BackupCommands.run(new PrintWriter(listed), "backup", "list", "--config", source, "--json")).isZero();
    JsonNode newest = Rest.JSON.readTree(listed.toString()).get("manifests").get(0);
    assertThat(newest.get("index").asLong()).isEqualTo(snapshotIndex);
    assertThat(newest.get("revision").asLong()).isEqualTo(revision);
    try (TestCluster restored = TestCluster.layOut(3, null)) {
      for (LocalCluster.NodeSpec n : restored.cluster.nodes()) {
        assertThat(BackupCommands.run("restore", "--config", source, "--data-dir", n.dataDir().toString()))
            .as("restore into " + n.id()).isZero();
      }
      assertThat(BackupCommands.run("restore", "--config", source, "--data-dir",
          restored.cluster.node("n1").dataDir().toString())).as("a second restore without --force").isEqualTo(2);
      restored.cluster.startAll();
      restored.leader();
      for (LocalCluster.NodeSpec n : restored.cluster.nodes()) {
        assertThat(restored.scanOn(n.id(), "restore/")).as(n.id()).isEqualTo(before);
      }
      KvClient fresh = restored.client();
      assertThat(fresh.put(b("restore/new"), b("after")).getHeader().getRevision()).isEqualTo(revision + 1);
      restored.assertReplicasAgree(fresh);
    }
  }

  /**
   * A cluster restored from another's manifest under a new cluster name, but in the same bucket
   * prefix, finds the other cluster's newer manifests there. A follower of it that needs a
   * snapshot must not install one of those (another history at other log positions): it skips
   * them and, with none of its own, copies its leader's.
   */
  @Test
  void aRestoredClusterSharingThePrefixNeverInstallsTheOldClustersSnapshots() throws Exception {
    String yaml = nodeYaml("s3");
    String source;
    SnapshotResponse kept;
    SnapshotResponse later;
    try (TestCluster old = TestCluster.start(1, yaml)) {
      putOneByOne(old.client(), "kept/", 600);
      kept = old.client("n1").snapshot().get(0);
      // A new term, so that the old cluster's later manifest sorts after the restored cluster's.
      old.cluster.kill("n1");
      old.cluster.start("n1");
      old.leader();
      putOneByOne(old.client(), "later/", 600);
      later = old.client("n1").snapshot().get(0);
      await().atMost(Duration.ofSeconds(60))
          .until(() -> tierHealth(old, "n1").get("lastUploadedIndex").asLong() >= later.getIndex());
      source = Files.readString(old.cluster.node("n1").configFile());
    }
    Path sourceConfig = directories.resolve("old-n1-" + UUID.randomUUID() + ".yml");
    Files.writeString(sourceConfig, source);

    t = TestCluster.layOut(3, yaml + "cluster: restored\n");
    for (LocalCluster.NodeSpec n : t.cluster.nodes()) {
      assertThat(BackupCommands.run("restore", "--config", sourceConfig.toString(), "--manifest",
          kept.getTerm() + "_" + kept.getIndex(), "--data-dir", n.dataDir().toString())).as(n.id()).isZero();
    }
    t.cluster.startAll();
    String leader = t.leader();
    KvClient client = t.client();
    putOneByOne(client, "new/", 400);
    SnapshotResponse own = t.client(leader).snapshot().get(0);
    assertThat(new SnapshotPosition(later.getTerm(), later.getIndex())).as("the old cluster's manifest is newest")
        .isGreaterThan(new SnapshotPosition(own.getTerm(), own.getIndex()));
    await().atMost(Duration.ofSeconds(30)).until(() ->
        TestCluster.sample(t.scrape(leader), "rocksraft_raft_log_first_index") > 1);
    String wiped = t.followers(leader).get(0);
    t.cluster.kill(wiped);
    FileOps.deleteTree(t.cluster.node(wiped).dataDir());
    // Written while it is away (Ratis 3.2.2 finds a wiped follower out only from an append with entries).
    putOneByOne(client, "away/", 10);
    t.cluster.start(wiped);
    t.awaitCaughtUp(wiped);

    assertThat(t.scanOn(wiped, "later/")).as("keys only the old cluster wrote").isEmpty();
    assertThat(t.scanOn(wiped, "kept/")).hasSize(600);
    assertThat(t.scanOn(wiped, "new/")).hasSize(400);
    assertThat(t.scanOn(wiped, "away/")).hasSize(10);
    assertThat(TestCluster.sample(t.scrape(wiped), "rocksraft_snapshot_installed_from_tier_total")).isZero();
    t.assertReplicasAgree(client);
  }

  /** One put after another: each is a log entry of its own, so the log positions are known. */
  private static void putOneByOne(KvClient client, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      client.put(b(String.format("%s%05d", prefix, i)), b("value-" + i));
    }
  }

  @Test
  void theClusterKeepsServingWhileTheBucketIsAwayAndUploadsResumeWhenItIsBack() throws Exception {
    t = TestCluster.start(3, nodeYaml("s3"));
    KvClient client = t.client();
    TestCluster.putMany(client, "away/", 1000);
    String leader = t.leader();
    s3.stop();
    boolean back = false;
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> !tierHealth(leader).get("healthy").asBoolean());
      TestCluster.putMany(client, "away-during/", 500);
      long snapshotIndex = t.client(leader).snapshot().get(0).getIndex();
      assertThat(client.get(b("away-during/00499")).getKv().getValue().toStringUtf8()).isEqualTo("value-499");
      assertThat(lastUploadedIndex(leader)).isLessThan(snapshotIndex);
      s3.restart();
      back = true;
      await().atMost(Duration.ofSeconds(90)).until(() -> tierHealth(leader).get("healthy").asBoolean()
          && lastUploadedIndex(leader) >= snapshotIndex);
    } finally {
      if (!back) {
        s3.restart();
      }
    }
  }
}
