package io.rocksraft.server.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.server.cli.NodeCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  public static final String STATE_FILE = "cluster.json";

  /** One node: where it listens, its data and log, and its process id (0 when not running). */
  public record NodeSpec(String id, String raftAddress, String clientAddress, Path dataDir, Path logFile, long pid) {
    NodeSpec withPid(long newPid) {
      return new NodeSpec(id, raftAddress, clientAddress, dataDir, logFile, newPid);
    }

    public Optional<ProcessHandle> process() {
      return pid == 0 ? Optional.empty() : ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    }
  }

  /** What cluster.json holds: the nodes, JVM options and extra node flags (for example --config). */
  public record State(List<NodeSpec> nodes, List<String> jvmArgs, List<String> nodeArgs) {
    public State {
      nodeArgs = nodeArgs == null ? List.of() : nodeArgs;
    }
  }

  private final Path dir;
  private final List<NodeSpec> nodes;
  private final List<String> jvmArgs;
  private final List<String> nodeArgs;

  private LocalCluster(Path dir, List<NodeSpec> nodes, List<String> jvmArgs, List<String> nodeArgs) {
    this.dir = dir;
    this.nodes = new ArrayList<>(nodes);
    this.jvmArgs = List.copyOf(jvmArgs);
    this.nodeArgs = List.copyOf(nodeArgs);
  }

  /** Lays out {@code count} nodes; raft ports from {@code raftBase}, gRPC from {@code clientBase} (0: free ports). */
  public static LocalCluster create(Path dir, int count, int raftBase, int clientBase, List<String> jvmArgs)
      throws IOException {
    return create(dir, count, raftBase, clientBase, jvmArgs, List.of());
  }

  public static LocalCluster create(Path dir, int count, int raftBase, int clientBase, List<String> jvmArgs,
                                    List<String> nodeArgs) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("--nodes must be at least 1");
    }
    Path absolute = dir.toAbsolutePath();
    List<NodeSpec> nodes = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String id = "n" + i;
      int raftPort = raftBase == 0 ? freePort() : raftBase + i - 1;
      int clientPort = clientBase == 0 ? freePort() : clientBase + i - 1;
      nodes.add(new NodeSpec(id, "127.0.0.1:" + raftPort, "127.0.0.1:" + clientPort,
          absolute.resolve(id), absolute.resolve(id + ".log"), 0));
    }
    Files.createDirectories(absolute);
    LocalCluster cluster = new LocalCluster(absolute, nodes, jvmArgs, nodeArgs);
    cluster.save();
    return cluster;
  }

  /** The cluster laid out in {@code dir}, if there is one. */
  public static Optional<LocalCluster> open(Path dir) throws IOException {
    Path file = dir.toAbsolutePath().resolve(STATE_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    State state = JSON.readValue(file.toFile(), State.class);
    return Optional.of(new LocalCluster(dir.toAbsolutePath(), state.nodes(), state.jvmArgs(), state.nodeArgs()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private synchronized void save() throws IOException {
    JSON.writeValue(dir.resolve(STATE_FILE).toFile(), new State(nodes, jvmArgs, nodeArgs));
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

  private String peersFlag() {
    return nodes().stream().map(n -> n.id() + "=" + n.raftAddress() + "/" + n.clientAddress())
        .collect(Collectors.joining(","));
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
  public synchronized void start(String id) throws IOException {
    NodeSpec n = node(id);
    if (n.process().isPresent()) {
      throw new IllegalStateException("node " + id + " is already running as pid " + n.pid());
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeCommand.class.getName(),
        "--id", n.id(), "--data-dir", n.dataDir().toString(), "--peers", peersFlag()));
    cmd.addAll(nodeArgs);
    Files.createDirectories(n.dataDir());
    Process p = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(n.logFile().toFile()))
        .start();
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

  public void stopAll(Duration grace) throws IOException {
    for (NodeSpec n : nodes()) {
      stop(n.id(), grace);
    }
  }

  public KvClient client() {
    return KvClient.builder().endpoints(clientAddresses()).timeout(Duration.ofSeconds(10)).build();
  }

  /** Waits until every running node names the same leader; returns its id. */
  public String awaitLeader(Duration timeout) throws InterruptedException {
    List<String> running = nodes().stream().filter(n -> n.process().isPresent()).map(NodeSpec::clientAddress).toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KvClient probe = KvClient.builder().endpoints(running).timeout(Duration.ofSeconds(2)).build()) {
      while (System.nanoTime() < deadline) {
        for (NodeSpec n : nodes()) {
          if (n.pid() != 0 && n.process().isEmpty()) {
            throw new IllegalStateException("node " + n.id() + " exited; see " + n.logFile());
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
