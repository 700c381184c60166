package io.rocksraft.bench.jmh;

import io.rocksraft.server.internal.LogBatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Encoding and decoding one log entry of coalesced puts (the leader encodes, every replica decodes). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
  @Param({"1", "16", "64"})
  int ops;

  @Param({"100"})
  int valueSize;

  private LogBatch batch;
  private byte[] encoded;

  @Setup
  public void setUp() {
    batch = Batches.puts(ops, valueSize, 0);
    encoded = batch.toByteArray();
  }

  @Benchmark
  public byte[] encode() {
    return batch.toByteArray();
  }

  @Benchmark
  public LogBatch decode() throws Exception {
    return LogBatch.parseFrom(encoded);
  }
}
