package io.rocksraft.server;

import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rocksraft.server.local.LocalCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Optional;

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
    Path dir = Files.createTempDirectory("rocksraft-test");
    Map<String, Object> settings = nodeYaml == null ? Map.of()
        : new ObjectMapper(new YAMLFactory()).readValue(nodeYaml, new TypeReference<Map<String, Object>>() {});
    TestCluster t = new TestCluster(LocalCluster.create(dir.resolve("cluster"), nodes, 0, NODE_JVM, settings));
    try {
      t.cluster.startAll();
      t.cluster.awaitLeader(Duration.ofSeconds(60));
    } catch (Exception | Error e) {
      t.close();
      throw e;
    }
    return t;
  }

  KvClient client() {
    return register(cluster.client());
  }

  KvClient client(String... nodeIds) {
    List<String> endpoints = new ArrayList<>();
    for (String id : nodeIds) {
      endpoints.add(cluster.node(id).clientAddress());
    }
    return register(KvClient.builder().endpoints(endpoints).timeout(Duration.ofSeconds(20)).build());
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

  /** The status a node reports about itself, if it answers. */
  Optional<StatusResponse> status(String nodeId) {
    try (KvClient c = KvClient.builder().endpoints(cluster.node(nodeId).clientAddress())
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
