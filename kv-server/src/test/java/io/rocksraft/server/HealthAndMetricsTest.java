package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.client.KvClient;
import io.rocksraft.server.local.LocalCluster;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin port of real node processes: /healthcheck through a quorum loss, and /prometheus. */
class HealthAndMetricsTest {
  private static TestCluster t;

  @BeforeAll
  static void startCluster() throws Exception {
    t = TestCluster.start(3, """
        requestTimeoutMs: 3000
        health:
          maxLeaderSilenceMs: 4000
        """);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  /** Every scenario starts and ends with a whole, healthy group. */
  @AfterEach
  void everyNodeHealthyAgain() {
    awaitAllHealthy();
  }

  private record Health(int status, JsonNode checks) {
    boolean healthy(String check) {
      return checks.path(check).path("healthy").asBoolean(false);
    }

    String message(String check) {
      return checks.path(check).path("message").asText();
    }
  }

  private static Health health(String nodeId) throws IOException, InterruptedException {
    HttpResponse<String> r = t.admin(nodeId, "/healthcheck");
    return new Health(r.statusCode(), new ObjectMapper().readTree(r.body()));
  }

  private interface Scenario {
    void run() throws Exception;
  }

  /** Runs {@code scenario} with the nodes frozen (SIGSTOP), and thaws them whatever happens. */
  private static void whilePaused(List<String> nodeIds, Scenario scenario) throws Exception {
    for (String id : nodeIds) {
      t.cluster.pause(id);
    }
    try {
      scenario.run();
    } finally {
      for (String id : nodeIds) {
        t.cluster.resume(id);
      }
    }
  }

  /** Waits until the node answers /healthcheck with 500 and a {@code raft} message as asserted. */
  private static void awaitRaftUnhealthy(String nodeId, Consumer<String> raftMessage) {
    await("raft check of " + nodeId + " unhealthy").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          Health h = health(nodeId);
          assertThat(h.status()).isEqualTo(500);
          assertThat(h.healthy("raft")).as(h.checks().toString()).isFalse();
          raftMessage.accept(h.message("raft"));
          assertThat(h.healthy("rocksdb")).isTrue();
        });
  }

  private static void awaitAllHealthy() {
    for (LocalCluster.NodeSpec n : t.cluster.nodes()) {
      awaitHealthy(n.id());
    }
  }

  private static void awaitHealthy(String nodeId) {
    await("node " + nodeId + " healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .untilAsserted(() -> {
          Health h = health(nodeId);
          assertThat(h.status()).as(h.checks().toString()).isEqualTo(200);
          assertThat(h.healthy("raft")).isTrue();
          assertThat(h.healthy("rocksdb")).isTrue();
        });
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void everyNodeIsHealthyOnceALeaderIsUp() throws Exception {
    String leader = t.leader();
    awaitAllHealthy();
    Health h = health(leader);
    assertThat(h.message("raft")).contains("LEADER");
    assertThat(h.checks().path("raft").path("leader").asText()).isEqualTo(leader);
    assertThat(h.message("rocksdb")).contains("bytes free");
  }

  @Test
  void aFollowerCutOffFromTheQuorumIsUnhealthyUntilItRejoins() throws Exception {
    String leader = t.leader();
    List<String> followers = t.followers(leader);
    String cutOff = followers.get(0);
    whilePaused(List.of(leader, followers.get(1)), () -> awaitRaftUnhealthy(cutOff, message ->
        assertThat(message).containsAnyOf("no leader known", "last RPC from leader")));
    awaitHealthy(cutOff);
  }

  @Test
  void aLeaderCutOffFromItsFollowersIsUnhealthy() throws Exception {
    String leader = t.leader();
    List<String> followers = t.followers(leader);
    // It fails the majority condition, or no longer leads at all once Ratis made it step down.
    whilePaused(followers, () -> awaitRaftUnhealthy(leader, message ->
        assertThat(message).containsAnyOf("leader heard from 1 of 3 voting members", "no leader known")));
  }

  @Test
  void prometheusShowsRequestRaftAndRocksDbMetrics() throws Exception {
    int writes = 20;
    try (KvClient client = t.client()) {
      for (int i = 0; i < writes; i++) {
        client.put(b("metrics/" + i), b("v" + i));
        assertThat(client.get(b("metrics/" + i)).getFound()).isTrue();
      }
      client.range(RangeRequest.newBuilder().setPrefix(b("metrics/")).build());
      client.delete(b("metrics/0"));
      client.deleteRange(DeleteRangeRequest.newBuilder().setStart(b("metrics/1")).setEnd(b("metrics/2")).build());
      client.txn(TxnRequest.newBuilder().addSuccess(TxnOp.newBuilder().setPut(
          io.rocksraft.api.v1.PutRequest.newBuilder().setKey(b("metrics/txn")).setValue(b("v")))).build());
    }

    List<String> scrapes = t.cluster.nodes().stream().map(n -> {
      try {
        HttpResponse<String> r = t.admin(n.id(), "/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        return r.body();
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }).toList();

    // The client sends each request to one node, so the counts add up over the group.
    assertThat(sum(scrapes, "rocksraft_requests_put_count")).isGreaterThanOrEqualTo(writes);
    assertThat(sum(scrapes, "rocksraft_requests_get_count")).isGreaterThanOrEqualTo(writes);
    for (String op : List.of("range", "delete", "delete_range", "txn")) {
      assertThat(sum(scrapes, "rocksraft_requests_" + op + "_count")).as(op).isGreaterThanOrEqualTo(1);
    }
    assertThat(sum(scrapes, "rocksraft_request_errors_put_total")).isZero();
    assertThat(sum(scrapes, "rocksraft_raft_commit_count")).isGreaterThanOrEqualTo(1);
    assertThat(sum(scrapes, "rocksraft_raft_batch_ops_count")).isGreaterThanOrEqualTo(1);
    for (String scrape : scrapes) {
      assertThat(scrape).contains("rocksraft_requests_put{quantile=\"0.99\"}");
      // Every replica applies every entry.
      assertThat(TestCluster.sample(scrape, "rocksraft_state_apply_count")).isGreaterThanOrEqualTo(1);
      assertThat(TestCluster.sample(scrape, "rocksraft_rocksdb_kv_memtable_bytes")).isPositive();
      assertThat(TestCluster.sample(scrape, "rocksraft_rocksdb_kv_estimate_num_keys")).isPositive();
      // The node's resident memory, and RocksDB's bound: the default block cache plus memtable budget.
      assertThat(TestCluster.sample(scrape, "rocksraft_memory_rss_bytes")).isGreaterThan(32 << 20);
      assertThat(TestCluster.sample(scrape, "rocksraft_rocksdb_cache_capacity_bytes")).isEqualTo(128 << 20);
      assertThat(TestCluster.sample(scrape, "rocksraft_rocksdb_block_cache_usage_bytes"))
          .isLessThanOrEqualTo(TestCluster.sample(scrape, "rocksraft_rocksdb_cache_capacity_bytes"));
      for (String gauge : List.of("rocksraft_rocksdb_kv_sst_bytes", "rocksraft_rocksdb_kv_sst_files",
          "rocksraft_rocksdb_raft_log_memtable_bytes", "rocksraft_rocksdb_kv_pending_compaction_bytes",
          "rocksraft_rocksdb_running_compactions", "rocksraft_rocksdb_background_errors",
          "rocksraft_rocksdb_raft_log_background_errors", "rocksraft_raft_log_first_index")) {
        assertThat(TestCluster.sample(scrape, gauge)).as(gauge).isGreaterThanOrEqualTo(0);
      }
    }
  }

  private static double sum(List<String> scrapes, String name) {
    return scrapes.stream().mapToDouble(s -> TestCluster.sample(s, name)).sum();
  }
}
