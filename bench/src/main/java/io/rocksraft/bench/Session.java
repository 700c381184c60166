package io.rocksraft.bench;

import io.rocksraft.bench.cluster.Deployment;
import io.rocksraft.bench.cluster.RocksraftSetup;
import io.rocksraft.bench.memory.MemorySampler;
import io.rocksraft.bench.run.LoadGenerator;
import io.rocksraft.bench.run.RunResult;
import io.rocksraft.bench.target.Target;
import io.rocksraft.bench.workload.WorkloadSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One run against one store: on the given endpoints, or on a cluster started for it and stopped
 * afterwards — also when the run fails, and (through a shutdown hook) when the JVM is stopped. The
 * memory of a started cluster's processes is sampled while it runs.
 */
final class Session {
  private final WorkloadSpec spec;
  private final Path workDir;
  private final RocksraftSetup rocksraft;
  private final PrintStream progress;

  Session(WorkloadSpec spec, Path workDir, RocksraftSetup rocksraft, PrintStream progress) {
    this.spec = spec;
    this.workDir = workDir;
    this.rocksraft = rocksraft;
    this.progress = progress;
  }

  RunResult run(TargetKind kind, Optional<List<String>> endpoints) throws InterruptedException {
    if (endpoints.isPresent()) {
      return drive(kind, endpoints.get());
    }
    progress.println("starting a " + TargetKind.NODES + "-node " + kind.label() + " cluster under " + workDir + " ...");
    Deployment deployment = kind.start(workDir, rocksraft);
    Thread hook = new Thread(deployment::close, "bench-stop-" + kind.label());
    Runtime.getRuntime().addShutdownHook(hook);
    try (MemorySampler memory = new MemorySampler(deployment.processes())) {
      RunResult result = drive(kind, deployment.endpoints());
      return result.withMemory(memory.peaks());
    } finally {
      progress.println("stopping the " + kind.label() + " cluster ...");
      deployment.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs anyway; closing twice is harmless.
      }
    }
  }

  private RunResult drive(TargetKind kind, List<String> endpoints) throws InterruptedException {
    try (Target target = kind.connect(endpoints, spec.timeout())) {
      return new LoadGenerator(spec, progress).run(target);
    }
  }
}
