package io.rocksraft.bench.run;

/**
 * One second of a run, by completion time: what the plot shows. Latencies in milliseconds.
 *
 * @param second 1 for the first second after the load phase
 */
public record Second(int second, Phase phase, long ops, long errors, double p50, double p99, double max) {}
