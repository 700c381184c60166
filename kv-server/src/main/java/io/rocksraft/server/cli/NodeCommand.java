package io.rocksraft.server.cli;

import io.rocksraft.server.Node;
import io.rocksraft.server.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kv-server}: runs one node until SIGTERM/SIGINT, then stops it cleanly. */
@Command(name = "kv-server", mixinStandardHelpOptions = true,
    description = "Runs one rocksraft node. Flags override the YAML file; with neither, a single node on loopback.")
public final class NodeCommand implements Callable<Integer> {
  @Option(names = "--config", description = "node YAML file (see docs/configuration.md)")
  Path config;

  @Option(names = "--id", description = "this node's id (default n1)")
  String id;

  @Option(names = "--data-dir", description = "data directory (default data/<id>)")
  Path dataDir;

  @Option(names = "--raft-address", description = "host:port for Raft traffic")
  String raftAddress;

  @Option(names = "--client-address", description = "host:port of the gRPC API")
  String clientAddress;

  @Option(names = "--peers", split = ",",
      description = "every member as id=raftHost:port/clientHost:port, comma separated")
  List<String> peers;

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    NodeConfig base = config != null ? NodeConfig.load(config) : new NodeConfig(
        null, null, null, null, null, null, null, null, null, null, null, null);
    String effectiveId = id != null ? id : base.id();
    Path effectiveDir = dataDir != null ? dataDir
        : (config != null ? base.dataDir() : Path.of("data", effectiveId));
    NodeConfig cfg = base.withOverrides(id, effectiveDir, raftAddress, clientAddress,
        peers == null ? null : peers.stream().map(NodeConfig.Peer::parse).toList());
    Files.createDirectories(cfg.dataDir());
    Node node = Node.start(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (Exception e) {
        System.err.println("error while stopping: " + e);
      } finally {
        stopped.countDown();
      }
    }, "shutdown"));
    System.out.println("node " + cfg.id() + " serving gRPC on " + cfg.clientAddress()
        + ", Raft on " + cfg.raftAddress() + ", data in " + cfg.dataDir().toAbsolutePath());
    stopped.await();
    return 0;
  }
}
