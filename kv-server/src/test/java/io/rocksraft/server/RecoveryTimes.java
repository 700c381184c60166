package io.rocksraft.server;

import io.rocksraft.client.KvClient;
import io.rocksraft.server.state.FileOps;
import io.rocksraft.server.tier.S3ProxyServer;
import java.time.Duration;
import java.util.UUID;

/**
 * Measures how long a follower takes to serve again: after a plain restart, after its disk was
 * wiped with the tier on (snapshot from the bucket: S3Proxy in this JVM), and after its disk was
 * wiped with the tier off (snapshot from the leader). Not a test: a report for docs/operations.md.
 * Run: see docs/operations.md, "Recovery times".
 */
final class RecoveryTimes {
  private RecoveryTimes() {}

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    try (S3ProxyServer s3 = S3ProxyServer.create()) {
      String tierOn = """
          tier:
            enabled: true
            backend: s3
            s3: {endpoint: '%s', region: us-east-1, bucket: %s, prefix: '%s', pathStyle: true,
                 accessKey: %s, secretKey: %s}
          """.formatted(s3.endpoint(), S3ProxyServer.BUCKET, "r-" + UUID.randomUUID() + "/",
          S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
      measure("tier on (S3Proxy)", keys, tierOn, true);
      measure("tier off", keys, "", false);
    }
  }

  private static void measure(String label, int keys, String tierYaml, boolean tier) throws Exception {
    try (TestCluster t = TestCluster.start(3, "snapshot: {autoTriggerThreshold: 10000000}\n" + tierYaml)) {
      KvClient client = t.client();
      long started = System.nanoTime();
      TestCluster.putMany(client, "bench/", keys);
      System.out.printf("[%s] %d keys written in %.1f s%n", label, keys, seconds(started));
      String leader = t.leader();
      for (var s : client.snapshot()) {
        System.out.printf("[%s] %s snapshot at index %d%n", label, s.getMemberId(), s.getIndex());
      }
      long bytes = t.cluster.nodes().stream().mapToLong(n -> sizeOf(n.dataDir().resolve("db"))).max().orElse(0);
      System.out.printf("[%s] state database on disk: %.1f MiB%n", label, bytes / 1048576.0);
      if (tier) {
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(5)).until(() ->
            Rest.JSON.readTree(t.admin(leader, "/healthcheck").body()).get("tier").get("lastUploadedIndex").asLong() > 0);
      }
      String follower = t.followers(leader).get(0);
      if (tier) {
        t.cluster.kill(follower);
        TestCluster.putMany(client, "meanwhile-restart/", 1000);
        started = System.nanoTime();
        t.cluster.start(follower);
        t.awaitCaughtUp(follower);
        System.out.printf("[%s] RESULT plain restart (kill -9, 1000 writes meanwhile): %.1f s%n", label,
            seconds(started));
      }
      t.cluster.kill(follower);
      FileOps.deleteTree(t.cluster.node(follower).dataDir());
      TestCluster.putMany(client, "meanwhile-wipe/", 1000);
      started = System.nanoTime();
      t.cluster.start(follower);
      t.awaitCaughtUp(follower);
      System.out.printf("[%s] RESULT wiped disk, snapshot from the %s: %.1f s%n", label,
          tier ? "bucket" : "leader", seconds(started));
      String scrape = t.scrape(follower);
      System.out.printf("[%s] from tier %.0f, from leader %.0f (%.0f bytes)%n", label,
          TestCluster.sample(scrape, "rocksraft_snapshot_installed_from_tier_total"),
          TestCluster.sample(scrape, "rocksraft_snapshot_installed_total"),
          TestCluster.sample(scrape, "rocksraft_snapshot_install_received_bytes_total"));
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static long sizeOf(java.nio.file.Path dir) {
    try (var files = java.nio.file.Files.walk(dir)) {
      return files.filter(java.nio.file.Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
