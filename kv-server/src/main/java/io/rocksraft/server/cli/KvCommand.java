package io.rocksraft.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.client.cli.KvCtl;
import io.rocksraft.server.local.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./kv}: the front door — local cluster, demo, and kvctl. */
@Command(name = "kv", mixinStandardHelpOptions = true, description = "rocksraft: a Raft-replicated key-value store.",
    subcommands = {KvCommand.Cluster.class, KvCommand.Demo.class, KvCommand.Ctl.class})
public final class KvCommand {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("ctl")) {
      // kvctl parses its own options; backup and restore need the node's tier code.
      String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
      System.exit(BackupCommands.handles(rest) ? BackupCommands.run(rest) : KvCtl.run(rest));
    }
    CommandLine cl = new CommandLine(new KvCommand());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("error: " + e.getMessage());
      return 2;
    });
    System.exit(cl.execute(args));
  }

  @Command(name = "cluster", description = "A local cluster of node processes on loopback.",
      subcommands = {Start.class, Stop.class, Status.class})
  static final class Cluster {}

  @Command(name = "start", description = "Starts a local cluster and waits for a leader.")
  static final class Start implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "number of nodes (default ${DEFAULT-VALUE})") int count;
    @Option(names = "--dir", defaultValue = "data", description = "data directory (default ./${DEFAULT-VALUE})") Path dir;

    @Override
    public Integer call() throws Exception {
      return startCluster(dir, count) != null ? 0 : 1;
    }
  }

  static LocalCluster startCluster(Path dir, int count) throws Exception {
    Optional<LocalCluster> existing = LocalCluster.open(dir);
    LocalCluster cluster;
    if (existing.isPresent()) {
      cluster = existing.get();
      if (cluster.nodes().size() != count) {
        System.out.println("note: " + dir + " holds a " + cluster.nodes().size() + "-node cluster; starting that one");
      }
    } else {
      cluster = LocalCluster.create(dir, count, 7001, LocalCluster.DEFAULT_JVM_ARGS);
    }
    cluster.startAll();
    System.out.println("waiting for a leader...");
    String leader = cluster.awaitLeader(Duration.ofSeconds(60));
    System.out.println("cluster running, leader " + leader + ", data in " + cluster.dir());
    for (LocalCluster.NodeSpec n : cluster.nodes()) {
      System.out.println("  " + n.id() + "  grpc " + n.clientAddress() + "  rest http://" + n.restAddress()
          + "  admin http://" + n.adminAddress() + "  pid " + n.pid() + "  log " + n.logFile());
    }
    System.out.println("endpoints: " + String.join(",", cluster.clientAddresses()));
    return cluster;
  }

  @Command(name = "stop", description = "Stops the local cluster cleanly (SIGTERM, SIGKILL after 20 s).")
  static final class Stop implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "data", description = "data directory (default ./${DEFAULT-VALUE})") Path dir;

    @Override
    public Integer call() throws Exception {
      Optional<LocalCluster> cluster = LocalCluster.open(dir);
      if (cluster.isEmpty()) {
        System.err.println("no cluster in " + dir.toAbsolutePath());
        return 1;
      }
      cluster.get().stopAll(Duration.ofSeconds(20));
      System.out.println("cluster in " + cluster.get().dir() + " stopped");
      return 0;
    }
  }

  @Command(name = "status", description = "Prints each node's id, pid, endpoints, role, term and applied index.")
  static final class Status implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "data", description = "data directory (default ./${DEFAULT-VALUE})") Path dir;
    @Option(names = "--json", description = "one JSON object with a nodes array") boolean json;

    @Override
    public Integer call() throws Exception {
      Optional<LocalCluster> opened = LocalCluster.open(dir);
      if (opened.isEmpty()) {
        System.err.println("no cluster in " + dir.toAbsolutePath());
        return 1;
      }
      LocalCluster cluster = opened.get();
      List<Map<String, Object>> rows = new ArrayList<>();
      try (KvClient client = cluster.clientBuilder(cluster.clientAddresses()).timeout(Duration.ofSeconds(2)).build()) {
        List<StatusResponse> answers = client.statusAll();
        for (LocalCluster.NodeSpec n : cluster.nodes()) {
          Optional<StatusResponse> s = answers.stream().filter(a -> a.getMemberId().equals(n.id())).findFirst();
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("id", n.id());
          row.put("pid", n.process().map(ProcessHandle::pid).orElse(0L));
          row.put("grpc", n.clientAddress());
          row.put("rest", "http://" + n.restAddress());
          row.put("admin", "http://" + n.adminAddress());
          row.put("raft", n.raftAddress());
          row.put("role", s.map(StatusResponse::getRole).orElse("DOWN"));
          row.put("term", s.map(StatusResponse::getTerm).orElse(0L));
          row.put("leader", s.map(StatusResponse::getLeaderId).orElse(""));
          row.put("appliedIndex", s.map(StatusResponse::getAppliedIndex).orElse(0L));
          rows.add(row);
        }
      }
      if (json) {
        System.out.println(JSON.writeValueAsString(Map.of("nodes", rows)));
      } else {
        String format = "%-5s %-8s %-16s %-23s %-23s %-10s %6s %10s%n";
        System.out.printf(format, "ID", "PID", "GRPC", "REST", "ADMIN", "ROLE", "TERM", "APPLIED");
        for (Map<String, Object> r : rows) {
          System.out.printf(format, r.get("id"), r.get("pid"), r.get("grpc"), r.get("rest"), r.get("admin"),
              r.get("role"), r.get("term"), r.get("appliedIndex"));
        }
      }
      return 0;
    }
  }

  @Command(name = "demo", description = "Starts the local cluster, writes and reads, kills the leader, shows the data survived.")
  static final class Demo implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "data", description = "data directory (default ./${DEFAULT-VALUE})") Path dir;

    @Override
    public Integer call() throws Exception {
      LocalCluster cluster = startCluster(dir, 3);
      int keys = 100;
      try (KvClient kv = cluster.client()) {
        System.out.println();
        System.out.println("writing " + keys + " keys demo/000..demo/" + String.format("%03d", keys - 1) + " ...");
        for (int i = 0; i < keys; i++) {
          kv.put(key(i), ByteString.copyFromUtf8("value-" + i));
        }
        System.out.println("get demo/042 -> " + kv.get(key(42)).getKv().getValue().toStringUtf8());
        String leader = cluster.awaitLeader(Duration.ofSeconds(30));
        System.out.println();
        System.out.println("killing the leader " + leader + " with SIGKILL ...");
        cluster.kill(leader);
        long t0 = System.nanoTime();
        // A write through the survivors completes once a new leader is elected.
        kv.put(ByteString.copyFromUtf8("demo/after-kill"), ByteString.copyFromUtf8("written without " + leader));
        System.out.printf("write accepted by the new leader %.1f s after the kill%n", (System.nanoTime() - t0) / 1e9);
        List<StatusResponse> survivors = kv.statusAll();
        survivors.stream().filter(s -> "LEADER".equals(s.getRole())).findFirst()
            .ifPresent(s -> System.out.println("new leader: " + s.getMemberId() + " (term " + s.getTerm() + ")"));
        int intact = 0;
        for (int i = 0; i < keys; i++) {
          if (kv.get(key(i)).getKv().getValue().toStringUtf8().equals("value-" + i)) {
            intact++;
          }
        }
        System.out.println("read back " + intact + "/" + keys + " keys intact");
        System.out.println();
        System.out.println("restarting " + leader + " ...");
        cluster.start(leader);
        cluster.awaitLeader(Duration.ofSeconds(60));
        System.out.println("all three nodes up again:");
        // A fresh client: the old one's channel to the restarted node may still be backing off.
        List<StatusResponse> all;
        try (KvClient fresh = cluster.client()) {
          all = fresh.statusAll();
        }
        for (StatusResponse s : all) {
          System.out.println("  " + s.getMemberId() + "  " + s.getRole() + "  term " + s.getTerm()
              + "  applied " + s.getAppliedIndex());
        }
        System.out.println();
        System.out.println("the cluster is still running: try ./kv ctl get demo/after-kill");
        System.out.println("stop it with: ./kv cluster stop" + (dir.toString().equals("data") ? "" : " --dir " + dir));
        return intact == keys ? 0 : 1;
      }
    }

    private static ByteString key(int i) {
      return ByteString.copyFromUtf8(String.format("demo/%03d", i));
    }
  }

  @Command(name = "ctl", description = "Runs kvctl (./kv ctl --help).", mixinStandardHelpOptions = false)
  static final class Ctl implements Callable<Integer> {
    @Parameters(arity = "0..*", description = "kvctl arguments") List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
      return KvCtl.run(args.toArray(String[]::new));
    }
  }
}
