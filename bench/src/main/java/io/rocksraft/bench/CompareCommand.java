package io.rocksraft.bench;

import io.rocksraft.bench.report.CompareTable;
import io.rocksraft.bench.report.Comparison;
import io.rocksraft.bench.report.HtmlReport;
import io.rocksraft.bench.report.JsonReport;
import io.rocksraft.bench.run.RunResult;
import io.rocksraft.bench.workload.WorkloadSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code bench compare}: the same workload on rocksraft and on etcd, one after the other. */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Runs the workload on a three-node rocksraft and a three-node etcd cluster (started for the run "
        + "unless endpoints are given), one after the other, and prints rocksraft/etcd ratios.")
final class CompareCommand implements Callable<Integer> {
  @ParentCommand BenchCommand parent;
  @Spec CommandSpec command;
  @Mixin WorkloadOptions options;

  @Option(names = "--rocksraft-endpoints", description = "a running rocksraft cluster: host:port,... (gRPC)")
  String rocksraftEndpoints;

  @Option(names = "--etcd-endpoints", description = "a running etcd cluster: host:port,... (client URLs)")
  String etcdEndpoints;

  @Option(names = "--json", description = "end with one line of JSON: both stores' figures and the ratios")
  boolean json;

  @Option(names = "--out", description = "also write both runs' JSON and one HTML page with both into this directory")
  Path out;

  @Override
  public Integer call() throws Exception {
    WorkloadSpec spec = parent.validated(command, options::spec);
    Optional<List<String>> rocksraft = endpoints(TargetKind.ROCKSRAFT, rocksraftEndpoints);
    Optional<List<String>> etcd = endpoints(TargetKind.ETCD, etcdEndpoints);
    Session session = new Session(spec, options.workDir(),
        parent.validated(command, options::rocksraft), parent.err());
    Comparison c = new Comparison(session.run(TargetKind.ROCKSRAFT, rocksraft), session.run(TargetKind.ETCD, etcd));
    if (out != null) {
      Files.createDirectories(out);
      String base = "compare-" + spec.workload().label();
      JsonReport.write(out.resolve(base + ".json"), c);
      HtmlReport.write(out.resolve(base + ".html"), "rocksraft vs etcd", spec.describe(), List.of(c.rocksraft(), c.etcd()));
      parent.err().println("wrote " + out.resolve(base + ".json") + " and " + out.resolve(base + ".html"));
    }
    parent.out().println(spec.describe());
    parent.out().print(CompareTable.render(c));
    if (json) {
      parent.out().println(JsonReport.line(c.brief()));
    }
    return 0;
  }

  private Optional<List<String>> endpoints(TargetKind kind, String list) {
    return Optional.ofNullable(list).map(l -> parent.validated(command, () -> kind.parseEndpoints(l)));
  }
}
