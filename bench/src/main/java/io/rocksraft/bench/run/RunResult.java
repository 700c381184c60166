package io.rocksraft.bench.run;

import java.util.List;
import java.util.Map;

/**
 * Everything one run against one target produced: the JSON report is this record.
 *
 * @param options      the workload options, as given
 * @param summary      the measured phase, all operation kinds together
 * @param byKind       the measured phase per operation kind (read, update, scan)
 * @param errorSamples the first distinct error messages, to tell why operations failed
 */
public record RunResult(String target, Map<String, Object> options, LoadResult load, Stats summary,
                        Map<String, Stats> byKind, List<Second> timeline, List<String> errorSamples) {}
