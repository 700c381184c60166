package io.rocksraft.server.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rocksraft.server.KvServerApplication;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.state.FileOps;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A cluster of separate node processes on loopback, with data under one directory. Its
 * layout is kept in {@code DIR/cluster.json} so that a later command can stop it or ask its
 * status. Used by {@code ./kv cluster} and by the integration tests.
 */
public final class LocalCluster {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  public static final String STATE_FILE = "cluster.json";
  /** Three node JVMs and a client share this 2-core, 24 GiB machine: modest heaps, G1. */
  public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx512m", "-XX:+UseG1GC");
  private static final String MALLOC_ARENA_MAX = "MALLOC_ARENA_MAX";
  private static final String DEFAULT_MALLOC_ARENAS = "2";

  /**
   * One node: where it listens (Raft, gRPC, REST, admin), its config file, data and log, its
   * process id (0 when not running), and whether it joins a running group (added by member add)
   * rather than founding it.
   */
  public record NodeSpec(String id, String raftAddress, String clientAddress, String restAddress,
                         String adminAddress, Path configFile, Path dataDir, Path logFile, long pid, boolean join) {
    NodeSpec withPid(long newPid) {
      return new NodeSpec(id, raftAddress, clientAddress, restAddress, adminAddress, configFile, dataDir, logFile,
          newPid, join);
    }

    public Optional<ProcessHandle> process() {
      return pid == 0 ? Optional.empty() : ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    }
  }

  /** What cluster.json holds: the nodes, JVM options and settings added to every node's {@code node:} block. */
  public record State(List<NodeSpec> nodes, List<String> jvmArgs, Map<String, Object> nodeSettings) {
    public State {
      nodeSettings = nodeSettings == null ? Map.of() : nodeSettings;
    }
  }

  private final Path dir;
  private final List<NodeSpec> nodes;
  private final List<String> jvmArgs;
  private final Map<String, Object> nodeSettings;

  private LocalCluster(Path dir, List<NodeSpec> nodes, List<String> jvmArgs, Map<String, Object> nodeSettings) {
    this.dir = dir;
    this.nodes = new ArrayList<>(nodes);
    this.jvmArgs = List.copyOf(jvmArgs);
    this.nodeSettings = Map.copyOf(nodeSettings);
  }

  /**
   * Lays out {@code count} nodes. Node i listens on {@code basePort + i - 1} for Raft and the
   * next hundreds for gRPC, REST and admin (7001, 9001, 8001, 8101 for n1 with base 7001);
   * base 0 picks free ports.
   */
  public static LocalCluster create(Path dir, int count, int basePort, List<String> jvmArgs) throws IOException {
    return create(dir, count, basePort, jvmArgs, Map.of());
  }

  public static LocalCluster create(Path dir, int count, int basePort, List<String> jvmArgs,
                                    Map<String, Object> nodeSettings) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("--nodes must be at least 1");
    }
    Path absolute = dir.toAbsolutePath();
    List<NodeSpec> nodes = new ArrayList<>();
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    for (int i = 1; i <= count; i++) {
      String id = "n" + i;
      int raftPort = basePort == 0 ? freePort(ports) : basePort + i - 1;
      int clientPort = basePort == 0 ? freePort(ports) : basePort + 2000 + i - 1;
      int restPort = basePort == 0 ? freePort(ports) : basePort + 1000 + i - 1;
      int adminPort = basePort == 0 ? freePort(ports) : basePort + 1100 + i - 1;
      nodes.add(new NodeSpec(id, "127.0.0.1:" + raftPort, "127.0.0.1:" + clientPort, "127.0.0.1:" + restPort,
          "127.0.0.1:" + adminPort, absolute.resolve(id + ".yml"), absolute.resolve(id), absolute.resolve(id + ".log"),
          0, false));
    }
    Files.createDirectories(absolute);
    LocalCluster cluster = new LocalCluster(absolute, nodes, jvmArgs, nodeSettings);
    cluster.save();
    return cluster;
  }

  /**
   * Lays out one more node, on free ports, that starts with {@code join: true}: once started it
   * waits until a member add brings it into the group. Returns it (not yet started).
   */
  public synchronized NodeSpec addNode() throws IOException {
    int next = nodes.stream().mapToInt(n -> Integer.parseInt(n.id().substring(1))).max().orElse(0) + 1;
    String id = "n" + next;
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    for (NodeSpec other : nodes) {
      for (String address : List.of(other.raftAddress(), other.clientAddress(), other.restAddress(),
          other.adminAddress())) {
        ports.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
      }
    }
    NodeSpec n = new NodeSpec(id, "127.0.0.1:" + freePort(ports), "127.0.0.1:" + freePort(ports),
        "127.0.0.1:" + freePort(ports), "127.0.0.1:" + freePort(ports), dir.resolve(id + ".yml"), dir.resolve(id),
        dir.resolve(id + ".log"), 0, true);
    nodes.add(n);
    save();
    return n;
  }

  /** Forgets a stopped node that was removed from the group (its files stay). */
  public synchronized void forget(String id) throws IOException {
    NodeSpec n = node(id);
    if (n.process().isPresent()) {
      throw new IllegalStateException("node " + id + " is still running as pid " + n.pid());
    }
    nodes.remove(n);
    save();
  }

  /** The cluster laid out in {@code dir}, if there is one. */
  public static Optional<LocalCluster> open(Path dir) throws IOException {
    Path file = dir.toAbsolutePath().resolve(STATE_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    State state = JSON.readValue(file.toFile(), State.class);
    return Optional.of(new LocalCluster(dir.toAbsolutePath(), state.nodes(), state.jvmArgs(), state.nodeSettings()));
  }

  /**
   * A free port below Linux's ephemeral range (32768+): a port from that range can be taken as
   * the source port of some outgoing connection before the node binds it. Public for other
   * servers on loopback (the bench module's etcd), which need the same care.
   */
  public static int freePort(java.util.Set<Integer> taken) throws IOException {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(20_000, 32_000);
      if (!taken.add(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
        return port;
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new IOException("no free port found in 20000-32000");
  }

  private synchronized void save() throws IOException {
    JSON.writeValue(dir.resolve(STATE_FILE).toFile(), new State(nodes, jvmArgs, nodeSettings));
  }

  public Path dir() {
    return dir;
  }

  public synchronized List<NodeSpec> nodes() {
    return List.copyOf(nodes);
  }

  public synchronized NodeSpec node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + id + " in " + dir));
  }

  public List<String> clientAddresses() {
    return nodes().stream().map(NodeSpec::clientAddress).toList();
  }

  /** The node's YAML: its {@code node:} block (with the cluster's extra settings), ports and logging. */
  private Map<String, Object> nodeYaml(NodeSpec n) {
    List<Map<String, String>> peers = new ArrayList<>();
    for (NodeSpec p : nodes()) {
      peers.add(Map.of("id", p.id(), "raftAddress", p.raftAddress(), "clientAddress", p.clientAddress()));
    }
    Map<String, Object> node = new LinkedHashMap<>(nodeSettings);
    node.put("id", n.id());
    node.put("dataDir", n.dataDir().toString());
    node.put("peers", peers);
    if (n.join()) {
      node.put("join", true);
    }
    return Map.of(
        "node", node,
        "server", Map.of(
            "applicationConnectors", List.of(connector(n.restAddress())),
            "adminConnectors", List.of(connector(n.adminAddress()))),
        "logging", Map.of("level", "WARN", "loggers", Map.of("io.rocksraft", "INFO")));
  }

  private static Map<String, Object> connector(String address) {
    int colon = address.lastIndexOf(':');
    // Keys travel in the URL: room for the longest key (8 KiB), percent-encoded.
    return Map.of("type", "http", "bindHost", address.substring(0, colon),
        "port", Integer.parseInt(address.substring(colon + 1)), "maxRequestHeaderSize", "64KiB");
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** Starts every node that is not running. */
  public void startAll() throws IOException {
    for (NodeSpec n : nodes()) {
      if (n.process().isEmpty()) {
        start(n.id());
      }
    }
  }

  /** Starts one node process, appending its output to its log file. */
  public void start(String id) throws IOException {
    start(id, List.of());
  }

  /**
   * Starts one node with JVM options of its own after the cluster's, such as
   * {@code -Ddw.node.raft.electionTimeoutMinMs=...} for a setting only this node has.
   */
  public void start(String id, List<String> extraJvmArgs) throws IOException {
    start(id, extraJvmArgs, Map.of());
  }

  /**
   * As above, with variables added to the node's environment, such as libfaketime's
   * {@code LD_PRELOAD} and {@code FAKETIME} for a node whose wall clock is off.
   */
  public synchronized void start(String id, List<String> extraJvmArgs, Map<String, String> extraEnv)
      throws IOException {
    NodeSpec n = node(id);
    if (n.process().isPresent()) {
      throw new IllegalStateException("node " + id + " is already running as pid " + n.pid());
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    // RocksDB unpacks its native library (about 15 MB) into java.io.tmpdir at every start and
    // deletes it only on a clean exit: a node of its own, emptied here, keeps killed nodes' copies
    // from piling up in /tmp.
    Path tmp = n.dataDir().resolveSibling(n.id() + "-tmp");
    FileOps.deleteTree(tmp);
    Files.createDirectories(tmp);
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Djava.io.tmpdir=" + tmp);
    cmd.addAll(jvmArgs);
    cmd.addAll(extraJvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KvServerApplication.class.getName(),
        "server", n.configFile().toString()));
    Files.createDirectories(n.dataDir());
    YAML.writeValue(n.configFile().toFile(), nodeYaml(n));
    ProcessBuilder builder = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(n.logFile().toFile()));
    // RocksDB allocates from many threads; glibc's default of 8 arenas per core lets freed memory
    // sit in each of them (docs/performance.md, Memory). An operator's own setting wins.
    builder.environment().putIfAbsent(MALLOC_ARENA_MAX, DEFAULT_MALLOC_ARENAS);
    builder.environment().putAll(extraEnv);
    Process p = builder.start();
    nodes.set(nodes.indexOf(n), n.withPid(p.pid()));
    save();
  }

  /** SIGKILL: the process gets no chance to flush or close anything. */
  public synchronized void kill(String id) throws IOException {
    NodeSpec n = node(id);
    n.process().ifPresent(h -> {
      h.destroyForcibly();
      h.onExit().join();
    });
    nodes.set(nodes.indexOf(n), n.withPid(0));
    save();
  }

  /** SIGTERM, then SIGKILL if the node has not stopped within {@code grace}. */
  public synchronized void stop(String id, Duration grace) throws IOException {
    NodeSpec n = node(id);
    n.process().ifPresent(h -> {
      h.destroy();
      try {
        h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
        h.onExit().join();
      }
    });
    nodes.set(nodes.indexOf(n), n.withPid(0));
    save();
  }

  /** SIGSTOP: the node freezes with its sockets open, as a hung or partitioned node would look to its peers. */
  public void pause(String id) throws IOException {
    signal(id, "STOP");
  }

  /** SIGCONT: a paused node goes on where it stopped. */
  public void resume(String id) throws IOException {
    signal(id, "CONT");
  }

  private void signal(String id, String signal) throws IOException {
    long pid = node(id).process().orElseThrow(() -> new IllegalStateException("node " + id + " is not running")).pid();
    try {
      int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
      if (exit != 0) {
        throw new IOException("kill -" + signal + " " + pid + " exited with " + exit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while signalling node " + id, e);
    }
  }

  public void stopAll(Duration grace) throws IOException {
    for (NodeSpec n : nodes()) {
      stop(n.id(), grace);
    }
  }

  public KvClient client() {
    return clientBuilder(clientAddresses()).timeout(Duration.ofSeconds(10)).build();
  }

  /**
   * A client of these nodes: over TLS when the nodes have {@code security.tls}, trusting their
   * CA and presenting the nodes' own certificate (the cluster's operator holds it anyway).
   */
  public KvClient.Builder clientBuilder(List<String> endpoints) {
    KvClient.Builder b = KvClient.builder().endpoints(endpoints);
    NodeConfig.Tls tls = YAML.convertValue(nodeSettings.getOrDefault("security", Map.of()), NodeConfig.Security.class)
        .tls();
    if (tls.enabled()) {
      b.tls(tls.caFile()).clientCertificate(tls.certFile(), tls.keyFile());
    }
    return b;
  }

  /** Waits until every running node names the same leader; returns its id. */
  public String awaitLeader(Duration timeout) throws InterruptedException {
    List<String> running = nodes().stream().filter(n -> n.process().isPresent()).map(NodeSpec::clientAddress).toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KvClient probe = clientBuilder(running).timeout(Duration.ofSeconds(2)).build()) {
      while (System.nanoTime() < deadline) {
        for (NodeSpec n : nodes()) {
          if (n.pid() != 0 && n.process().isEmpty()) {
            throw new IllegalStateException("node " + n.id() + " exited; the end of " + n.logFile() + ":\n"
                + tail(n.logFile(), 15));
          }
        }
        try {
          List<StatusResponse> all = probe.statusAll();
          if (all.size() == running.size()) {
            List<String> leaders = all.stream().map(StatusResponse::getLeaderId).distinct().toList();
            boolean leaderAnswers = all.stream()
                .anyMatch(s -> s.getMemberId().equals(leaders.get(0)) && "LEADER".equals(s.getRole()));
            if (leaders.size() == 1 && !leaders.get(0).isEmpty() && leaderAnswers) {
              return leaders.get(0);
            }
          }
        } catch (RuntimeException e) {
          // Nodes still starting: ask again.
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("no leader elected within " + timeout.toSeconds() + " s; see the logs in " + dir);
  }
}
