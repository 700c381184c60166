package io.rocksraft.server.cli;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.tier.GarbageCollector;
import io.rocksraft.server.tier.Manifest;
import io.rocksraft.server.tier.ManifestCatalog;
import io.rocksraft.server.tier.Restore;
import io.rocksraft.server.tier.Tier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./kv ctl backup list|gc} and {@code ./kv ctl restore}: work on the object-storage tier
 * directly, as a node's YAML describes it, with no node running. They live beside the node
 * because they use its tier and RocksDB code, not in kvctl's client-only module.
 */
public final class BackupCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BackupCommands() {}

  /** Runs {@code args} (starting with {@code backup} or {@code restore}); returns the exit status. */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), args);
  }

  /** The same, printing to {@code out}. */
  public static int run(PrintWriter out, String... args) {
    CommandLine cl = new CommandLine(new Root());
    cl.setOut(out);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("error: " + e.getMessage());
      return 2;
    });
    return cl.execute(args);
  }

  /** Whether {@code ./kv ctl ARGS} is one of these commands. */
  public static boolean handles(String... args) {
    return args.length > 0 && (args[0].equals("backup") || args[0].equals("restore"));
  }

  @Command(name = "kvctl", subcommands = {Backup.class, RestoreCmd.class})
  static final class Root {}

  /** Where the bucket is: a node's YAML. */
  static final class Source {
    @Option(names = "--config", required = true,
        description = "a node's YAML file; its node.tier block says where the bucket is")
    Path config;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    NodeConfig node() throws Exception {
      NodeConfig node = NodeConfig.load(config);
      node.tier().validate();
      return node;
    }

    /** Runs {@code action} on the tier the config names; exit status 0 unless it throws. */
    int run(TierAction action) throws Exception {
      NodeConfig node = node();
      try (Tier tier = Tier.open(node.tier(), node.dataDir(), new MetricRegistry())) {
        action.run(node, tier);
        return 0;
      }
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    void print(Object json, String text) throws Exception {
      out().println(this.json ? JSON.writeValueAsString(json) : text);
    }
  }

  interface TierAction {
    void run(NodeConfig node, Tier tier) throws Exception;
  }

  @Command(name = "backup", description = "The snapshots in the object-storage tier.",
      subcommands = {BackupList.class, BackupGc.class})
  static final class Backup {}

  @Command(name = "list", description = "Lists the manifests (restore points) in the bucket, newest first.")
  static final class BackupList implements Callable<Integer> {
    @Mixin Source source;

    @Override
    public Integer call() throws Exception {
      return source.run((node, tier) -> {
        List<Object> json = new ArrayList<>();
        StringBuilder text = new StringBuilder(String.format("%-12s %-8s %-12s %-10s %-6s %-14s %s%n",
            "POSITION", "TERM", "INDEX", "REVISION", "FILES", "BYTES", "CREATED"));
        for (ManifestCatalog.Entry e : tier.catalog().list()) {
          Manifest m = tier.catalog().read(e);
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("key", e.key());
          row.put("term", m.term());
          row.put("index", m.index());
          row.put("revision", m.revision());
          row.put("clusterId", m.clusterId());
          row.put("files", m.files().size());
          row.put("bytes", m.totalBytes());
          row.put("createdAt", m.createdAt().toString());
          json.add(row);
          text.append(String.format("%-12s %-8d %-12d %-10d %-6d %-14d %s%n", m.term() + "_" + m.index(), m.term(),
              m.index(), m.revision(), m.files().size(), m.totalBytes(), m.createdAt()));
        }
        source.print(Map.of("store", tier.store().describe(), "manifests", json),
            tier.store().describe() + "\n" + text.toString().stripTrailing());
      });
    }
  }

  @Command(name = "gc", description = {"Deletes objects no kept manifest names (older than tier.gcGraceMs),",
      "after dropping manifests beyond tier.retainManifests. Safe while nodes upload."})
  static final class BackupGc implements Callable<Integer> {
    @Mixin Source source;

    @Override
    public Integer call() throws Exception {
      return source.run((node, tier) -> {
        int dropped = tier.applyRetention().size();
        GarbageCollector.Result r = tier.garbageCollector().collect();
        source.print(Map.of("manifestsDropped", dropped, "manifestsKept", r.manifests(), "objects", r.objects(),
                "deleted", r.deleted(), "bytesDeleted", r.bytesDeleted(), "unreferencedButYoung",
                r.unreferencedButYoung()),
            "dropped " + dropped + " manifest(s) beyond retention; " + r.manifests() + " kept; deleted "
                + r.deleted() + " of " + r.objects() + " objects (" + r.bytesDeleted() + " bytes); "
                + r.unreferencedButYoung() + " unreferenced but younger than the grace period");
      });
    }
  }

  @Command(name = "restore", description = {"Offline: makes a manifest the state of a node that has not started,",
      "for a new cluster. Run it for every member with the same manifest, then start them."})
  static final class RestoreCmd implements Callable<Integer> {
    @Mixin Source source;

    @Option(names = "--manifest", defaultValue = "latest",
        description = "latest (default), TERM_INDEX, or a key as backup list prints it")
    String manifest;

    @Option(names = "--data-dir", description = "the node's data directory (default: node.dataDir of --config)")
    Path dataDir;

    @Option(names = "--force", description = "delete what the data directory holds first (the node must be stopped)")
    boolean force;

    @Override
    public Integer call() throws Exception {
      return source.run((node, tier) -> {
        Path target = dataDir != null ? dataDir : node.dataDir();
        Restore restore = new Restore(tier);
        Manifest m = restore.manifest(manifest);
        source.out().println("restoring " + m.term() + "_" + m.index() + " (" + m.files().size() + " files, "
            + m.totalBytes() + " bytes) into " + target + " ...");
        source.out().flush();
        Restore.Result r = restore.into(m, target, force);
        source.print(Map.of("term", m.term(), "index", m.index(), "revision", r.rebasedFrom().revision(),
                "dataDir", target.toString(), "filesDownloaded", r.download().downloaded(),
                "bytesDownloaded", r.download().bytesDownloaded()),
            "restored: revision " + r.rebasedFrom().revision() + ", " + r.download().downloaded() + " files ("
                + r.download().bytesDownloaded() + " bytes) downloaded; start the node with a new group "
                + "(all members restored from the same manifest)");
      });
    }
  }
}
