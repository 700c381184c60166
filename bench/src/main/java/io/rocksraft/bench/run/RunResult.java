package io.rocksraft.bench.run;

import io.rocksraft.bench.memory.NodeMemory;
import java.util.List;
import java.util.Map;

/**
 * Everything one run against one target produced: the JSON report is this record.
 *
 * @param options      the workload options, as given
 * @param summary      the measured phase, all operation kinds together
 * @param byKind       the measured phase per operation kind (read, update, scan)
 * @param errorSamples the first distinct error messages, to tell why operations failed
 * @param memory       each process' peak memory over the run, when the bench started the cluster (else empty)
 */
public record RunResult(String target, Map<String, Object> options, LoadResult load, Stats summary,
                        Map<String, Stats> byKind, List<Second> timeline, List<String> errorSamples,
                        List<NodeMemory> memory) {
  public RunResult withMemory(List<NodeMemory> peaks) {
    return new RunResult(target, options, load, summary, byKind, timeline, errorSamples, List.copyOf(peaks));
  }
}
