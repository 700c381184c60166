package io.rocksraft.bench.cluster;

import io.rocksraft.server.local.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster of Debian's etcd ({@code /usr/bin/etcd}, 3.4) on 127.0.0.1, one process per member,
 * data and logs in a temporary directory. Default durability: etcd fsyncs its WAL on every
 * commit, as rocksraft syncs its log. Install etcd with {@code bench/etcd/ensure-etcd.sh}.
 */
public final class EtcdCluster implements Deployment {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdCluster.class);
  public static final Path BINARY = Path.of("/usr/bin/etcd");
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** One member: its name, ports and process. */
  private record Member(String name, int clientPort, int peerPort, Path dataDir, Path log) {
    String clientUrl() {
      return "http://127.0.0.1:" + clientPort;
    }

    String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }
  }

  private final Path dir;
  private final List<Member> members;
  private final List<Process> processes = new ArrayList<>();

  private EtcdCluster(Path dir, List<Member> members) {
    this.dir = dir;
    this.members = members;
  }

  /** Starts {@code size} members in a new directory under {@code parent} and waits until all are healthy. */
  public static EtcdCluster start(Path parent, int size, Duration timeout) {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: install Debian's etcd-server with "
          + "bench/etcd/ensure-etcd.sh (as root)");
    }
    Path dir = Directories.create(parent, "etcd-");
    List<Member> members = new ArrayList<>();
    Set<Integer> taken = new HashSet<>();
    try {
      for (int i = 1; i <= size; i++) {
        members.add(new Member("e" + i, LocalCluster.freePort(taken), LocalCluster.freePort(taken),
            dir.resolve("e" + i), dir.resolve("e" + i + ".log")));
      }
    } catch (IOException e) {
      Directories.delete(dir);
      throw new UncheckedIOException(e);
    }
    EtcdCluster cluster = new EtcdCluster(dir, members);
    try {
      cluster.launch();
      cluster.awaitHealthy(timeout);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void launch() {
    String initialCluster = members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
    // A token of its own: a member must never join a cluster of another run on a reused port.
    String token = "bench-" + UUID.randomUUID();
    for (Member m : members) {
      List<String> cmd = List.of(BINARY.toString(),
          "--name", m.name(),
          "--data-dir", m.dataDir().toString(),
          "--listen-client-urls", m.clientUrl(),
          "--advertise-client-urls", m.clientUrl(),
          "--listen-peer-urls", m.peerUrl(),
          "--initial-advertise-peer-urls", m.peerUrl(),
          "--initial-cluster", initialCluster,
          "--initial-cluster-token", token,
          "--initial-cluster-state", "new",
          "--logger", "zap",
          "--log-outputs", "stderr");
      try {
        processes.add(new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(m.log().toFile()))
            .start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + BINARY, e);
      }
    }
    LOG.info("etcd started: {} members in {}, client URLs {}", members.size(), dir, endpoints());
  }

  @Override
  public List<NodeProcess> processes() {
    List<NodeProcess> out = new ArrayList<>();
    for (int i = 0; i < processes.size(); i++) {
      out.add(new NodeProcess(members.get(i).name(), processes.get(i).pid(), Optional.empty()));
    }
    return out;
  }

  /** etcd's {@code /health} says true once the member sees a leader and a quorum answers. */
  private void awaitHealthy(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> healthy = new HashSet<>();
    while (healthy.size() < members.size()) {
      for (int i = 0; i < members.size(); i++) {
        if (!processes.get(i).isAlive()) {
          throw new IllegalStateException("etcd member " + members.get(i).name() + " exited with "
              + processes.get(i).exitValue() + "; the end of " + members.get(i).log() + ":\n" + tail(members.get(i).log()));
        }
      }
      for (Member m : members) {
        if (!healthy.contains(m.name()) && isHealthy(http, m)) {
          healthy.add(m.name());
        }
      }
      if (healthy.size() == members.size()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("etcd not healthy within " + timeout.toSeconds() + " s; logs in " + dir);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for etcd", e);
      }
    }
    LOG.info("etcd healthy: {}", endpoints());
  }

  private static boolean isHealthy(HttpClient http, Member m) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(m.clientUrl() + "/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().replace(" ", "").contains("\"health\":\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public List<String> endpoints() {
    return members.stream().map(Member::clientUrl).toList();
  }

  public Path dir() {
    return dir;
  }

  /** Stops every member (SIGTERM, SIGKILL after 10 s) and deletes the directory. */
  @Override
  public void close() {
    for (Process p : processes) {
      Processes.stop(p.toHandle(), STOP_GRACE);
    }
    processes.clear();
    Directories.delete(dir);
    LOG.info("etcd stopped, {} deleted", dir);
  }
}
