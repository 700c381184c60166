package io.rocksraft.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rocksraft.bench.cluster.RocksraftSetup;
import io.rocksraft.bench.workload.Distribution;
import io.rocksraft.bench.workload.KeySpace;
import io.rocksraft.bench.workload.Workload;
import io.rocksraft.bench.workload.WorkloadSpec;
import io.rocksraft.server.config.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import picocli.CommandLine.Option;

/** The options shared by {@code bench run} and {@code bench compare}. */
final class WorkloadOptions {
  @Option(names = "--workload", defaultValue = "a",
      description = "a (50/50 read/update), b (95/5), c (read only), write, scan (default ${DEFAULT-VALUE})")
  Workload workload;

  @Option(names = "--clients", defaultValue = "128", description = "operations in flight (default ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--rate", description = "open loop: total operations per second to aim at (default: as fast as possible)")
  Double rate;

  @Option(names = "--keys", defaultValue = "100000", description = "number of keys (default ${DEFAULT-VALUE})")
  long keys;

  @Option(names = "--key-size", defaultValue = "16", description = "key size in bytes (default ${DEFAULT-VALUE})")
  int keySize;

  @Option(names = "--value-size", defaultValue = "100", description = "value size in bytes (default ${DEFAULT-VALUE})")
  int valueSize;

  @Option(names = "--distribution", defaultValue = "uniform",
      description = "key choice: uniform or zipfian (default ${DEFAULT-VALUE})")
  Distribution distribution;

  @Option(names = "--scan-length", defaultValue = "10", description = "keys per scan (default ${DEFAULT-VALUE})")
  int scanLength;

  // A fresh rocksraft cluster still speeds up for minutes (docs/performance.md, "The spread is the warm-up").
  @Option(names = "--warmup", defaultValue = "180",
      description = "seconds run but not measured (default ${DEFAULT-VALUE}: a fresh cluster's JVMs speed up for minutes)")
  long warmupSeconds;

  @Option(names = "--duration", defaultValue = "30", description = "seconds measured (default ${DEFAULT-VALUE})")
  long durationSeconds;

  @Option(names = "--timeout", defaultValue = "10",
      description = "seconds after which an operation counts as an error (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Option(names = "--work-dir", description = "where the started clusters get their temporary directories "
      + "(default: the system's temporary directory)")
  Path workDir;

  @Option(names = "--rocksraft-settings", description = "a YAML mapping added to the node: block of every rocksraft "
      + "node the bench starts (docs/configuration.md), e.g. '{backpressure: {maxInFlightBatches: 4}}'")
  String rocksraftSettings;

  @Option(names = "--rocksraft-jvm", description = "the JVM options of every rocksraft node the bench starts, "
      + "separated by spaces, instead of the defaults (-Xmx512m -XX:+UseG1GC), e.g. '-Xmx512m -XX:+UseParallelGC'")
  String rocksraftJvm;

  /** @throws IllegalArgumentException naming the bad option */
  WorkloadSpec spec() {
    return new WorkloadSpec(workload, new KeySpace(keys, keySize), valueSize, distribution, clients,
        rate == null ? OptionalDouble.empty() : OptionalDouble.of(rate), scanLength,
        Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(durationSeconds), Duration.ofSeconds(timeoutSeconds));
  }

  /**
   * How to start rocksraft nodes: their JVM options and their node settings.
   *
   * @throws IllegalArgumentException naming the bad option
   */
  RocksraftSetup rocksraft() {
    return new RocksraftSetup(rocksraftJvm(), rocksraftSettings());
  }

  private List<String> rocksraftJvm() {
    if (rocksraftJvm == null) {
      return RocksraftSetup.DEFAULTS.jvmArgs();
    }
    List<String> args = List.of(rocksraftJvm.trim().split("\\s+"));
    // Anything but JVM options would be taken as the main class or its arguments, and fail
    // obscurely. A blank value splits into [""], refused here too.
    if (!args.stream().allMatch(a -> a.startsWith("-"))) {
      throw new IllegalArgumentException("--rocksraft-jvm takes JVM options, each starting with '-': '" + rocksraftJvm + "'");
    }
    return args;
  }

  /**
   * The node settings to start rocksraft nodes with, checked as a node would check them.
   *
   * @throws IllegalArgumentException for YAML that is not a valid node configuration
   */
  private Map<String, Object> rocksraftSettings() {
    if (rocksraftSettings == null || rocksraftSettings.isBlank()) {
      return Map.of();
    }
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    try {
      Map<String, Object> settings = yaml.readValue(rocksraftSettings, new TypeReference<Map<String, Object>>() {});
      yaml.convertValue(settings, NodeConfig.class).validate();
      return settings;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException("--rocksraft-settings is not a valid node configuration: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  Path workDir() {
    return workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
  }
}
