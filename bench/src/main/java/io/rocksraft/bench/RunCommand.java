package io.rocksraft.bench;

import io.rocksraft.bench.report.CompareTable;
import io.rocksraft.bench.report.HtmlReport;
import io.rocksraft.bench.report.JsonReport;
import io.rocksraft.bench.run.RunResult;
import io.rocksraft.bench.run.Stats;
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

/** {@code bench run}: one store alone, results as JSON and HTML. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Drives one store (started for the run unless --endpoints is given) and writes JSON and HTML.")
final class RunCommand implements Callable<Integer> {
  @ParentCommand BenchCommand parent;
  @Spec CommandSpec command;
  @Mixin WorkloadOptions options;

  @Option(names = "--target", required = true, description = "rocksraft or etcd")
  TargetKind target;

  @Option(names = "--endpoints", description = "a running cluster: host:port,... (rocksraft gRPC, etcd client URLs)")
  String endpoints;

  @Option(names = "--out", defaultValue = "bench-results", description = "directory for the results (default ./${DEFAULT-VALUE})")
  Path out;

  @Override
  public Integer call() throws Exception {
    WorkloadSpec spec = parent.validated(command, options::spec);
    Optional<List<String>> given = Optional.ofNullable(endpoints).map(e -> parent.validated(command, () -> target.parseEndpoints(e)));
    Files.createDirectories(out);
    RunResult result = new Session(spec, options.workDir(),
        parent.validated(command, options::rocksraft), parent.err()).run(target, given);
    String base = "bench-" + target.label() + "-" + spec.workload().label();
    Path json = out.resolve(base + ".json");
    Path html = out.resolve(base + ".html");
    JsonReport.write(json, result);
    HtmlReport.write(html, "rocksraft bench: " + target.label(), spec.describe(), List.of(result));
    Stats s = result.summary();
    parent.out().printf("%s, %s: %.1f ops/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms, %d ops, %d errors%n",
        target.label(), spec.describe(), s.throughput(), s.p50(), s.p99(), s.p999(), s.max(), s.ops(), s.errors());
    parent.out().print(CompareTable.memory(result));
    parent.out().println("wrote " + json + " and " + html);
    return 0;
  }
}
