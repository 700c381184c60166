package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Consistency;
import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.api.v1.ReadOptions;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rocksraft.server.local.LocalCluster;
import io.rocksraft.server.ops.PrometheusExport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster of separate node JVMs on free loopback ports for a test class; closing it kills
 * every node and removes its directory, also when the test failed.
 */
final class TestCluster implements AutoCloseable {
  static final List<String> NODE_JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private static final HttpClient ADMIN_HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final LocalCluster cluster;
  private final List<AutoCloseable> resources = new ArrayList<>();

  private TestCluster(LocalCluster cluster) {
    this.cluster = cluster;
  }

  static TestCluster start(int nodes) throws Exception {
    return start(nodes, null);
  }

  /** Starts {@code nodes} nodes; {@code nodeYaml}, when given, is added to every node's {@code node:} block. */
  static TestCluster start(int nodes, String nodeYaml) throws Exception {
    TestCluster t = layOut(nodes, nodeYaml);
    try {
      t.cluster.startAll();
      t.cluster.awaitLeader(Duration.ofSeconds(60));
    } catch (Exception | Error e) {
      t.close();
      throw e;
    }
    return t;
  }

  /** Lays out {@code nodes} nodes without starting them (close it all the same). */
  static TestCluster layOut(int nodes, String nodeYaml) throws Exception {
    Path dir = Files.createTempDirectory("rocksraft-test");
    Map<String, Object> settings = nodeYaml == null ? Map.of()
        : new ObjectMapper(new YAMLFactory()).readValue(nodeYaml, new TypeReference<Map<String, Object>>() {});
    return new TestCluster(LocalCluster.create(dir.resolve("cluster"), nodes, 0, NODE_JVM, settings));
  }

  KvClient client() {
    return register(cluster.client());
  }

  KvClient client(String... nodeIds) {
    List<String> endpoints = new ArrayList<>();
    for (String id : nodeIds) {
      endpoints.add(cluster.node(id).clientAddress());
    }
    return register(cluster.clientBuilder(endpoints).timeout(Duration.ofSeconds(20)).build());
  }

  /** {@code a} then {@code b}: command lines of kvctl with common flags after the command's. */
  static String[] concat(String[] a, String[] b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A raw gRPC stub on one node, for requests the client library would not send. */
  KVGrpc.KVBlockingStub rawStub(String nodeId) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.node(nodeId).clientAddress()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
    resources.add(channel::shutdownNow);
    return KVGrpc.newBlockingStub(channel);
  }

  private <T extends AutoCloseable> T register(T r) {
    resources.add(r);
    return r;
  }

  String leader() throws InterruptedException {
    return cluster.awaitLeader(Duration.ofSeconds(60));
  }

  List<String> followers(String leader) {
    return cluster.nodes().stream().map(LocalCluster.NodeSpec::id).filter(id -> !id.equals(leader)).toList();
  }

  /** A GET on a node's Dropwizard admin port (health checks, metrics). */
  HttpResponse<String> admin(String nodeId, String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + cluster.node(nodeId).adminAddress() + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    return ADMIN_HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Puts {@code PREFIX%05d = value-i} for i below {@code count}, 64 at a time. */
  static void putMany(KvClient client, String prefix, int count) throws InterruptedException {
    Semaphore inFlight = new Semaphore(64);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      all.add(client.async().put(ByteString.copyFromUtf8(String.format("%s%05d", prefix, i)),
          ByteString.copyFromUtf8("value-" + i)).whenComplete((r, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }

  /** Every key with {@code prefix} as this very node has it (a follower read), page by page. */
  List<KeyValue> scanOn(String nodeId, String prefix) {
    KvClient only = client(nodeId);
    List<KeyValue> found = new ArrayList<>();
    RangeRequest.Builder req = RangeRequest.newBuilder().setPrefix(ByteString.copyFromUtf8(prefix))
        .setRead(ReadOptions.newBuilder().setConsistency(Consistency.FOLLOWER));
    while (true) {
      RangeResponse page = only.range(req.build());
      found.addAll(page.getKvsList());
      if (!page.getMore()) {
        return found;
      }
      req.setStart(page.getNextStart());
    }
  }

  /** Waits until the node has applied the leader's commit index. */
  void awaitCaughtUp(String nodeId) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
      long leaderCommit = cluster.nodes().stream().map(n -> status(n.id())).flatMap(Optional::stream)
          .filter(s -> "LEADER".equals(s.getRole())).mapToLong(StatusResponse::getCommitIndex).max().orElse(-1);
      return status(nodeId).map(s -> leaderCommit > 0 && s.getAppliedIndex() >= leaderCommit).orElse(false);
    });
  }

  /** Every node hashes the same state at a new hash point; returns the hashes. */
  List<HashResponse> assertReplicasAgree(KvClient client) {
    List<HashResponse> hashes = client.check();
    assertThat(hashes).hasSize(cluster.nodes().size());
    assertThat(hashes.stream().map(HashResponse::getHash).distinct()).hasSize(1);
    assertThat(hashes.get(0).getKeys()).isPositive();
    return hashes;
  }

  /** A node's metrics in Prometheus' text format. */
  String scrape(String nodeId) throws IOException, InterruptedException {
    return admin(nodeId, PrometheusExport.PATH).body();
  }

  /** The value of an unlabelled sample in a scrape; fails when the scrape has none. */
  static double sample(String scrape, String name) {
    Matcher m = Pattern.compile("^" + Pattern.quote(name) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
    assertThat(m.find()).as("a sample " + name).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** The status a node reports about itself, if it answers. */
  Optional<StatusResponse> status(String nodeId) {
    try (KvClient c = cluster.clientBuilder(List.of(cluster.node(nodeId).clientAddress()))
        .timeout(Duration.ofSeconds(2)).build()) {
      return Optional.of(c.status());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() throws IOException {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    for (LocalCluster.NodeSpec n : cluster.nodes()) {
      cluster.kill(n.id());
    }
    Path root = cluster.dir().getParent();
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
