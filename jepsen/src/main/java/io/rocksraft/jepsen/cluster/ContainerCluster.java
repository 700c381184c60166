package io.rocksraft.jepsen.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.jepsen.nemesis.Faults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A rocksraft cluster in Docker containers on a user-defined network of its own, one node per
 * container ({@code n1..nN}, also their network aliases and host names), for fault injection.
 *
 * <p>Inside, every node listens on the same ports (Raft 7001, gRPC 9001, REST 8001, admin 8101)
 * and names its peers by alias; gRPC, REST and admin are published on 127.0.0.1 so that the test
 * JVM reaches every node. The node runs under a supervisor (PID 1, see
 * {@code jepsen/docker/node}), so the node process can be SIGKILLed, paused and started again
 * inside its container, which keeps its address and disk. Containers have NET_ADMIN: partitions
 * are iptables rules inside them.
 *
 * <p>{@link #close()} removes every container and the network, also after a failed start; a
 * later cluster also removes what a JVM that died without closing left behind.
 */
public final class ContainerCluster implements Faults, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerCluster.class);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public static final int RAFT_PORT = 7001;
  public static final int GRPC_PORT = 9001;
  public static final int REST_PORT = 8001;
  public static final int ADMIN_PORT = 8101;
  /** Labels on every container and network: the cluster's run id, and the pid of the JVM that made it. */
  public static final String RUN_LABEL = "io.rocksraft.jepsen.run";
  public static final String PID_LABEL = "io.rocksraft.jepsen.pid";
  static final String CONFIG_FILE = "/etc/rocksraft/node.yml";
  static final String DATA_DIR = "/var/lib/rocksraft";

  /** What a command run in a node's container printed and returned. */
  public record ExecResult(int exitCode, String stdout, String stderr) {}

  /** Whether the node process runs, as far as this cluster made it so. */
  private enum NodeState { RUNNING, PAUSED, KILLED }

  private static final class Node {
    final String id;
    final GenericContainer<?> container;
    volatile String ip;
    volatile NodeState state = NodeState.RUNNING;

    Node(String id, GenericContainer<?> container) {
      this.id = id;
      this.container = container;
    }
  }

  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final Builder options;
  private final Network network;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  /** The object-storage tier's bucket, when the tier is on. */
  private final BucketContainer bucket;
  private boolean closed;

  private ContainerCluster(Builder b) {
    this.options = b;
    Map<String, String> labels = labels();
    this.network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withLabels(labels)).build();
    this.bucket = b.tier ? new BucketContainer(network, "rocksraft-" + runId + "-bucket", labels) : null;
    for (int i = 1; i <= b.size; i++) {
      String id = "n" + i;
      nodes.put(id, new Node(id, container(id)));
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How a cluster is made. */
  public static final class Builder {
    private int size = 3;
    private NodeImage image;
    private final Map<String, Object> nodeSettings = new LinkedHashMap<>();
    private final List<BiConsumer<String, Map<String, Object>>> configHooks = new ArrayList<>();
    private String jvmOptions;
    private boolean tier;
    private Duration startTimeout = Duration.ofSeconds(90);

    /** The number of nodes (3 unless set). */
    public Builder nodes(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("a cluster needs at least one node");
      }
      this.size = size;
      return this;
    }

    /** The image to run (default: {@link NodeImage#ensure()}, built when the cluster starts). */
    public Builder image(NodeImage image) {
      this.image = Objects.requireNonNull(image);
      return this;
    }

    /** Adds a setting to every node's {@code node:} block (e.g. {@code tier}, {@code snapshot}). */
    public Builder nodeSetting(String key, Object value) {
      nodeSettings.put(key, value);
      return this;
    }

    /**
     * A hook that edits a node's whole YAML document (as nested mutable maps) before it is
     * written into the container: called with the node id and the document.
     */
    public Builder configure(BiConsumer<String, Map<String, Object>> hook) {
      configHooks.add(Objects.requireNonNull(hook));
      return this;
    }

    /**
     * Turns the object-storage tier on: an S3 server (S3Proxy) in a container of its own on the
     * cluster's network, which the leader ships snapshots to and a wiped node recovers from.
     */
    public Builder tier(boolean on) {
      this.tier = on;
      return this;
    }

    /** JVM options of the node processes (default: the supervisor's {@code -Xmx512m}). */
    public Builder jvmOptions(String options) {
      this.jvmOptions = options;
      return this;
    }

    /** How long {@link ContainerCluster#start()} waits for the containers and a leader. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    public ContainerCluster build() {
      checkEnvironment();
      return new ContainerCluster(this);
    }
  }

  /**
   * Testcontainers 1.21.3 reads both from the environment only. Without the first it starts Ryuk,
   * whose image cannot be pulled; without the second, on a machine with a /.dockerenv, it looks
   * for the Docker host through a helper container whose image cannot be pulled either.
   */
  static void checkEnvironment() {
    if (!Boolean.parseBoolean(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
      throw new IllegalStateException("set TESTCONTAINERS_RYUK_DISABLED=true: Ryuk's image cannot be pulled here,"
          + " and ContainerCluster removes its own containers");
    }
    if (Files.exists(Path.of("/.dockerenv")) && System.getenv("TESTCONTAINERS_HOST_OVERRIDE") == null) {
      throw new IllegalStateException("set TESTCONTAINERS_HOST_OVERRIDE=localhost: this machine has a /.dockerenv,"
          + " and Testcontainers would look for the Docker host through a container it cannot pull");
    }
  }

  /** Whether a Docker engine answers (after {@link #checkEnvironment()}, so that asking pulls nothing). */
  public static boolean dockerAvailable() {
    checkEnvironment();
    return DockerClientFactory.instance().isDockerAvailable();
  }

  private Map<String, String> labels() {
    return Map.of(RUN_LABEL, runId, PID_LABEL, Long.toString(ProcessHandle.current().pid()));
  }

  private GenericContainer<?> container(String id) {
    List<ExposedPort> published = List.of(ExposedPort.tcp(GRPC_PORT), ExposedPort.tcp(REST_PORT),
        ExposedPort.tcp(ADMIN_PORT));
    GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("rocksraft-node:unbuilt"))
        .withNetwork(network)
        .withNetworkAliases(id)
        .withLabels(labels())
        .withExposedPorts(GRPC_PORT, REST_PORT, ADMIN_PORT)
        // The supervisor says so once it launched the node; the leader is waited for afterwards.
        .waitingFor(Wait.forLogMessage("(?s).*node started as pid.*", 1).withStartupTimeout(options.startTimeout))
        .withCreateContainerCmdModifier(cmd -> {
          cmd.withName(containerName(id)).withHostName(id);
          // Published on loopback only: nothing but this machine has any business with them.
          cmd.getHostConfig()
              .withCapAdd(Capability.NET_ADMIN)
              .withPortBindings(published.stream()
                  .map(p -> new PortBinding(Ports.Binding.bindIp("127.0.0.1"), p)).toList());
        });
    if (options.jvmOptions != null) {
      c.withEnv("KV_SERVER_OPTS", options.jvmOptions);
    }
    return c;
  }

  /** The YAML document of node {@code id}: peers by alias, every port on all of its addresses. */
  Map<String, Object> nodeConfig(String id) {
    List<Map<String, Object>> peers = new ArrayList<>();
    for (String peer : nodes.keySet()) {
      peers.add(new LinkedHashMap<>(Map.of("id", peer, "raftAddress", peer + ":" + RAFT_PORT,
          "clientAddress", peer + ":" + GRPC_PORT)));
    }
    Map<String, Object> node = new LinkedHashMap<>(options.nodeSettings);
    if (bucket != null) {
      node.put("tier", BucketContainer.tierSetting("run-" + runId + "/"));
    }
    node.put("id", id);
    node.put("dataDir", DATA_DIR);
    node.put("peers", peers);
    Map<String, Object> server = new LinkedHashMap<>();
    // Keys travel in the URL: room for the longest key (8 KiB), percent-encoded.
    server.put("applicationConnectors", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of(
        "type", "http", "bindHost", "0.0.0.0", "port", REST_PORT, "maxRequestHeaderSize", "64KiB")))));
    server.put("adminConnectors", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of(
        "type", "http", "bindHost", "0.0.0.0", "port", ADMIN_PORT)))));
    Map<String, Object> logging = new LinkedHashMap<>();
    logging.put("level", "WARN");
    logging.put("loggers", new LinkedHashMap<>(Map.of("io.rocksraft", "INFO")));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("node", node);
    doc.put("server", server);
    doc.put("logging", logging);
    for (BiConsumer<String, Map<String, Object>> hook : options.configHooks) {
      hook.accept(id, doc);
    }
    return doc;
  }

  /**
   * Builds the image if needed, starts every container and waits until all nodes name the
   * same leader. On any failure everything made so far is removed before the error is thrown.
   */
  public ContainerCluster start() throws IOException, InterruptedException {
    try {
      removeOrphans();
      NodeImage image = options.image != null ? options.image : NodeImage.ensure();
      if (bucket != null) {
        bucket.start(image.tag());
        LOG.info("bucket container {} serves {} for the tier", "rocksraft-" + runId + "-bucket",
            BucketContainer.BUCKET);
      }
      for (Node n : nodes.values()) {
        n.container.setDockerImageName(image.tag());
        // The image is local: never ask a registry for it.
        n.container.withImagePullPolicy(name -> false);
        n.container.withCopyToContainer(Transferable.of(YAML.writeValueAsString(nodeConfig(n.id))), CONFIG_FILE);
      }
      for (Node n : nodes.values()) {
        n.container.start();
        n.ip = ipAddress(n);
        LOG.info("[{}] container {} at {}, gRPC published on {}", n.id, containerName(n.id), n.ip,
            clientEndpoint(n.id));
      }
      String leader = awaitLeader(options.startTimeout);
      LOG.info("cluster {} of {} nodes up, leader {}", runId, nodes.size(), leader);
      return this;
    } catch (IOException | InterruptedException | RuntimeException e) {
      try {
        close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /** The container's name: {@code rocksraft-<run id>-<node id>}. */
  public String containerName(String id) {
    node(id);
    return "rocksraft-" + runId + "-" + id;
  }

  private String ipAddress(Node n) {
    Map<String, ContainerNetwork> networks = n.container.getContainerInfo().getNetworkSettings().getNetworks();
    return networks.values().stream().map(ContainerNetwork::getIpAddress).filter(Objects::nonNull)
        .findFirst().orElseThrow(() -> new IllegalStateException("node " + n.id + " has no IP address"));
  }

  public String runId() {
    return runId;
  }

  public List<String> nodes() {
    return List.copyOf(nodes.keySet());
  }

  private Node node(String id) {
    Node n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no node " + id + " in " + nodes.keySet());
    }
    return n;
  }

  /** The node's gRPC endpoint as the test JVM reaches it ({@code 127.0.0.1:port}). */
  public String clientEndpoint(String id) {
    return published(id, GRPC_PORT);
  }

  /** Every node's gRPC endpoint, in node order: what {@code KvClient.builder().endpoints(...)} takes. */
  public List<String> clientEndpoints() {
    return nodes.keySet().stream().map(this::clientEndpoint).toList();
  }

  /** The node's REST endpoint as the test JVM reaches it. */
  public String restEndpoint(String id) {
    return published(id, REST_PORT);
  }

  /** The node's admin endpoint (health checks, metrics) as the test JVM reaches it. */
  public String adminEndpoint(String id) {
    return published(id, ADMIN_PORT);
  }

  private String published(String id, int port) {
    GenericContainer<?> c = node(id).container;
    return c.getHost() + ":" + c.getMappedPort(port);
  }

  /** The node's address on the cluster's network, as its peers see it. */
  public String ipAddress(String id) {
    return node(id).ip;
  }

  /** A client of every node. */
  public KvClient client(Duration timeout) {
    return KvClient.builder().endpoints(clientEndpoints()).timeout(timeout).build();
  }

  /**
   * Waits until every node whose process runs (not killed, not paused) names the same leader
   * and that leader says it leads; returns its id.
   */
  public String awaitLeader(Duration timeout) throws InterruptedException {
    List<String> running = nodes.values().stream().filter(n -> n.state == NodeState.RUNNING)
        .map(n -> clientEndpoint(n.id)).toList();
    if (running.isEmpty()) {
      throw new IllegalStateException("no node runs");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = "no answer";
    try (KvClient probe = KvClient.builder().endpoints(running).timeout(Duration.ofSeconds(2)).build()) {
      while (System.nanoTime() < deadline) {
        try {
          List<StatusResponse> all = probe.statusAll();
          List<String> leaders = all.stream().map(StatusResponse::getLeaderId).distinct().toList();
          seen = all.size() + " of " + running.size() + " answered, naming leaders " + leaders;
          if (all.size() == running.size() && leaders.size() == 1 && !leaders.get(0).isEmpty()
              && all.stream().anyMatch(s -> s.getMemberId().equals(leaders.get(0)) && "LEADER".equals(s.getRole()))) {
            return leaders.get(0);
          }
        } catch (RuntimeException e) {
          seen = e.toString();
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("no leader within " + timeout.toSeconds() + " s (" + seen + "); the nodes' logs:\n"
        + logTails(40));
  }

  /** SIGKILL: the node process dies at once; its container, address and disk stay. */
  public void kill(String id) {
    nodectl(id, "kill", NodeState.KILLED);
  }

  /** Starts the node process again in its container (does not wait for it to serve). */
  public void start(String id) {
    nodectl(id, "start", NodeState.RUNNING);
  }

  /** SIGSTOP: the node freezes with its sockets open. */
  public void pause(String id) {
    nodectl(id, "pause", NodeState.PAUSED);
  }

  /** SIGCONT: a paused node goes on where it stopped. */
  public void resume(String id) {
    nodectl(id, "resume", NodeState.RUNNING);
  }

  /** Kills the node, deletes its data directory and starts it again, empty. */
  public void wipe(String id) {
    nodectl(id, "wipe", NodeState.RUNNING);
  }

  private void nodectl(String id, String action, NodeState after) {
    LOG.info("[{}] {}", id, action);
    check(id, exec(id, "nodectl", action), "nodectl " + action);
    node(id).state = after;
  }

  /**
   * Kills the node, gives it a configuration with {@code join: true} and an empty data directory,
   * and starts it: a new member waiting to be added (after it was removed from the group).
   */
  @Override
  public void restartAsJoiner(String id) {
    kill(id);
    Map<String, Object> doc = nodeConfig(id);
    @SuppressWarnings("unchecked")
    Map<String, Object> node = (Map<String, Object>) doc.get("node");
    node.put("join", true);
    try {
      node(id).container.copyFileToContainer(Transferable.of(YAML.writeValueAsString(doc)), CONFIG_FILE);
    } catch (IOException e) {
      throw new IllegalStateException("writing " + id + "'s configuration failed", e);
    }
    wipe(id);
  }

  /** The Raft address the other members reach the node at (its network alias). */
  @Override
  public String raftAddress(String id) {
    return node(id).id + ":" + RAFT_PORT;
  }

  /** The gRPC address the other members reach the node at (its network alias). */
  @Override
  public String clientAddress(String id) {
    return node(id).id + ":" + GRPC_PORT;
  }

  /** Cuts {@code id} off from every other node (both directions); clients still reach it. */
  public void isolate(String id) {
    List<String> others = nodes.keySet().stream().filter(n -> !n.equals(id)).toList();
    partition(List.of(List.of(id), others));
  }

  /**
   * Replaces any partition with this one: a node drops every packet from and to the nodes of
   * the other sides. A node in no side keeps talking to everyone (a bridge). Traffic between
   * the test JVM and the nodes is never cut.
   */
  public void partition(List<List<String>> sides) {
    Set<String> seen = new HashSet<>();
    for (List<String> side : sides) {
      for (String id : side) {
        node(id);
        if (!seen.add(id)) {
          throw new IllegalArgumentException("node " + id + " is on two sides of " + sides);
        }
      }
    }
    heal();
    LOG.info("partition {}", sides);
    for (int i = 0; i < sides.size(); i++) {
      List<String> away = new ArrayList<>();
      for (int j = 0; j < sides.size(); j++) {
        if (j != i) {
          away.addAll(sides.get(j));
        }
      }
      if (away.isEmpty()) {
        continue;
      }
      StringBuilder rules = new StringBuilder("set -e");
      for (String other : away) {
        String ip = node(other).ip;
        rules.append("; iptables -w -A INPUT -s ").append(ip).append(" -j DROP")
            .append("; iptables -w -A OUTPUT -d ").append(ip).append(" -j DROP");
      }
      for (String id : sides.get(i)) {
        check(id, exec(id, "sh", "-c", rules.toString()), "iptables");
      }
    }
  }

  /** Removes every partition: flushes the iptables rules in every container. */
  public void heal() {
    for (String id : nodes.keySet()) {
      check(id, exec(id, "sh", "-c", "iptables -w -F INPUT && iptables -w -F OUTPUT"), "iptables -F");
    }
  }

  /** Runs a command in the node's container (not in the node process), as root. */
  public ExecResult exec(String id, String... command) {
    try {
      org.testcontainers.containers.Container.ExecResult r = node(id).container.execInContainer(command);
      return new ExecResult(r.getExitCode(), r.getStdout(), r.getStderr());
    } catch (IOException e) {
      throw new IllegalStateException("exec in " + id + " failed: " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during exec in " + id, e);
    }
  }

  private static void check(String id, ExecResult r, String what) {
    if (r.exitCode() != 0) {
      throw new IllegalStateException(what + " in " + id + " exited with " + r.exitCode() + ": " + r.stderr().strip());
    }
  }

  /** Everything the container printed: the supervisor's lines and every run of the node. */
  public String logs(String id) {
    return node(id).container.getLogs();
  }

  private String logTails(int lines) {
    StringBuilder out = new StringBuilder();
    for (Node n : nodes.values()) {
      if (n.container.getContainerId() == null) {
        continue;
      }
      List<String> all = n.container.getLogs().lines().toList();
      out.append("--- ").append(n.id).append('\n')
          .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()))).append('\n');
    }
    return out.toString();
  }

  /**
   * Stops and removes every container and the network, then sweeps anything else labelled
   * with this run; safe to call twice and after a failed start.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    for (Node n : nodes.values()) {
      try {
        n.container.stop();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    if (bucket != null) {
      try {
        bucket.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    try {
      network.close();
    } catch (RuntimeException e) {
      failures.add(e);
    }
    try {
      remove(RUN_LABEL + "=" + runId);
    } catch (RuntimeException e) {
      failures.add(e);
    }
    LOG.info("cluster {} removed", runId);
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  /**
   * Removes the containers and networks of clusters whose JVM is gone (killed before it could
   * close them): without Ryuk, nothing else would.
   */
  static void removeOrphans() {
    BucketContainer.removeOrphanedStaging();
    DockerClient docker = DockerClientFactory.instance().client();
    Set<String> deadRuns = new HashSet<>();
    for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(RUN_LABEL)).exec()) {
      if (!alive(c.getLabels().get(PID_LABEL))) {
        deadRuns.add(c.getLabels().get(RUN_LABEL));
      }
    }
    for (com.github.dockerjava.api.model.Network n : docker.listNetworksCmd().withFilter("label", List.of(RUN_LABEL))
        .exec()) {
      if (!alive(n.getLabels().get(PID_LABEL))) {
        deadRuns.add(n.getLabels().get(RUN_LABEL));
      }
    }
    for (String run : deadRuns) {
      LOG.warn("removing the containers and network of cluster {}, left behind by a JVM that is gone", run);
      remove(RUN_LABEL + "=" + run);
    }
  }

  static boolean alive(String pid) {
    try {
      return pid != null && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Force-removes every container, then every network, that carries {@code label} ({@code key=value}). */
  private static void remove(String label) {
    DockerClient docker = DockerClientFactory.instance().client();
    for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(label)).exec()) {
      docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
    }
    for (com.github.dockerjava.api.model.Network n : docker.listNetworksCmd().withFilter("label", List.of(label))
        .exec()) {
      docker.removeNetworkCmd(n.getId()).exec();
    }
  }
}
