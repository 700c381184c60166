package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.SnapshotResponse;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.server.local.LocalCluster;
import io.rocksraft.server.raft.RaftNode;
import io.rocksraft.server.state.SnapshotManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots on three node JVMs: RocksDB checkpoints that let Ratis purge its log, restarts
 * from them, and a follower that catches up by receiving one. Small thresholds and Ratis
 * segments keep it to seconds.
 */
class SnapshotTest {
  private static final Pattern SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-(\\d+))?");
  private static TestCluster t;

  /** A Ratis log segment file: its first and last index (last is -1 while it is open). */
  private record Segment(long start, long end) {}

  @BeforeAll
  static void startCluster() throws Exception {
    // One log entry per write (no coalescing), several in flight: the thresholds below count entries.
    t = TestCluster.start(3, """
        snapshot:
          autoTriggerThreshold: 300
          retain: 2
        backpressure:
          maxBatchOps: 1
          maxInFlightBatches: 8
        ratis:
          raft.server.log.segment.size.max: 8KB
        """);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static Path dataDir(String nodeId) {
    return t.cluster.node(nodeId).dataDir();
  }

  private static List<Segment> segments(String nodeId) throws IOException {
    Path dir = dataDir(nodeId).resolve("raft").resolve(RaftNode.groupId("rocksraft").getUuid().toString())
        .resolve("current");
    try (Stream<Path> files = Files.list(dir)) {
      List<Segment> all = new ArrayList<>();
      for (Path p : files.toList()) {
        Matcher m = SEGMENT.matcher(p.getFileName().toString());
        if (m.matches()) {
          all.add(new Segment(Long.parseLong(m.group(1)), m.group(2) == null ? -1 : Long.parseLong(m.group(2))));
        }
      }
      return all;
    }
  }

  private static double metric(String nodeId, String name) throws Exception {
    return TestCluster.sample(t.scrape(nodeId), name);
  }

  private static long status(String nodeId, java.util.function.ToLongFunction<StatusResponse> field) {
    return field.applyAsLong(t.status(nodeId).orElseThrow());
  }

  @Test
  void aSnapshotIsACheckpointWithAManifestAndTheLogBelowItIsPurged() throws Exception {
    KvClient client = t.client();
    TestCluster.putMany(client, "purge/", 1000);

    List<SnapshotResponse> taken = client.snapshot();
    client.put(b("purge/after"), b("the log goes on"));

    assertThat(taken).hasSize(3);
    for (SnapshotResponse s : taken) {
      Path dir = dataDir(s.getMemberId()).resolve("snapshots").resolve(s.getTerm() + "_" + s.getIndex());
      SnapshotManifest manifest = SnapshotManifest.read(dir);
      assertThat(manifest.index()).isEqualTo(s.getIndex());
      assertThat(manifest.files()).anyMatch(f -> f.name().endsWith(".sst"));
      manifest.verify(dir);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        List<Segment> segments = segments(s.getMemberId());
        long logStart = segments.stream().mapToLong(Segment::start).min().orElseThrow();
        assertThat(segments).as("no closed segment lies wholly at or below the snapshot")
            .allMatch(g -> g.end() == -1 || g.end() > s.getIndex());
        assertThat(logStart).isGreaterThan(1);
        assertThat((long) metric(s.getMemberId(), "rocksraft_raft_log_first_index"))
            .as("raft_log keeps no payload below Ratis' log").isGreaterThanOrEqualTo(logStart);
      });
      assertThat(metric(s.getMemberId(), "rocksraft_snapshot_last_index")).isGreaterThanOrEqualTo(s.getIndex());
      assertThat(metric(s.getMemberId(), "rocksraft_snapshot_take_count")).isGreaterThanOrEqualTo(1);
    }
    try (Stream<Path> kept = Files.list(dataDir(taken.get(0).getMemberId()).resolve("snapshots"))) {
      assertThat(kept.count()).as("snapshot.retain").isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aRestartedClusterRecoversTheSameStateFromSnapshotAndLog() throws Exception {
    KvClient client = t.client();
    TestCluster.putMany(client, "restart/", 800);
    client.snapshot();
    TestCluster.putMany(client, "restart-after/", 200);
    HashResponse before = t.assertReplicasAgree(client).get(0);

    for (LocalCluster.NodeSpec n : t.cluster.nodes()) {
      t.cluster.kill(n.id());
    }
    t.cluster.startAll();
    t.leader();

    HashResponse after = t.assertReplicasAgree(client).get(0);
    assertThat(after.getHash()).isEqualTo(before.getHash());
    assertThat(after.getRevision()).isEqualTo(before.getRevision());
    for (LocalCluster.NodeSpec n : t.cluster.nodes()) {
      assertThat(t.scanOn(n.id(), "restart/")).hasSize(800);
      assertThat(t.scanOn(n.id(), "restart-after/")).hasSize(200);
    }
  }

  @Test
  void aFollowerThatMissedPurgedEntriesCatchesUpByInstallingTheLeadersSnapshot() throws Exception {
    KvClient client = t.client();
    String leader = t.leader();
    String down = t.followers(leader).get(1);
    long downApplied = status(down, StatusResponse::getAppliedIndex);
    t.cluster.kill(down);

    TestCluster.putMany(client, "install/", 3000);
    long snapshotIndex = t.client(leader).snapshot().get(0).getIndex();
    await().atMost(Duration.ofSeconds(30)).until(() ->
        segments(leader).stream().mapToLong(Segment::start).min().orElse(0) > downApplied + 1);
    TestCluster.putMany(client, "install-after/", 100);

    t.cluster.start(down);
    t.awaitCaughtUp(down);

    assertThat(metric(down, "rocksraft_snapshot_installed_total")).isEqualTo(1);
    assertThat(metric(down, "rocksraft_snapshot_install_received_bytes_total")).isPositive();
    assertThat(metric(down, "rocksraft_snapshot_last_index")).isGreaterThanOrEqualTo(snapshotIndex);
    List<KeyValue> installed = t.scanOn(down, "install/");
    assertThat(installed).hasSize(3000);
    assertThat(installed.get(2345).getValue().toStringUtf8()).isEqualTo("value-2345");
    assertThat(t.scanOn(down, "install-after/")).as("written after the snapshot").hasSize(100);
    t.assertReplicasAgree(client);
  }

  @Test
  void snapshotsTakenDuringConcurrentWritesLoseNoWrite() throws Exception {
    KvClient client = t.client();
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      Thread th = new Thread(() -> {
        for (int i = 0; i < 200; i++) {
          String key = "concurrent/" + writer + "/" + i;
          client.put(b(key), b("v" + i));
          acknowledged.put(key, "v" + i);
        }
      });
      th.start();
      writers.add(th);
    }
    int snapshots = 0;
    while (writers.stream().anyMatch(Thread::isAlive)) {
      client.snapshot();
      snapshots++;
    }
    for (Thread th : writers) {
      th.join();
    }

    assertThat(snapshots).isGreaterThan(1);
    assertThat(acknowledged).hasSize(800);
    t.assertReplicasAgree(client);
    for (LocalCluster.NodeSpec n : t.cluster.nodes()) {
      Map<String, String> onNode = t.scanOn(n.id(), "concurrent/").stream()
          .collect(Collectors.toMap(kv -> kv.getKey().toStringUtf8(), kv -> kv.getValue().toStringUtf8()));
      assertThat(onNode).as(n.id()).isEqualTo(acknowledged);
    }
  }
}
