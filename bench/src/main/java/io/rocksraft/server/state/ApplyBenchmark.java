package io.rocksraft.server.state;

import io.rocksraft.bench.jmh.Batches;
import io.rocksraft.bench.jmh.ScratchDirs;
import io.rocksraft.raftlog.RocksMemory;
import io.rocksraft.server.config.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The state machine's apply of one committed entry of coalesced puts (from 128 writers in turn, or
 * from one) on a real RocksDB: sessions, revisions, history and the applied index in one write
 * batch. Each entry is new (its writes' exactly-once sequences move on, as a replayed one would
 * only be looked up), so the time includes building and encoding it: see
 * {@code CodecBenchmark.encode} for that part. In the state package because the applier is not
 * part of kv-server's API; a benchmark of the bench module only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ApplyBenchmark {
  @Param({"1", "16", "64"})
  int ops;

  /** Writers in turn: 128 as many clients would, 1 as the bench's one client with 128 calls in flight. */
  @Param({"128", "1"})
  int writers;

  private Path dir;
  private RocksMemory memory;
  private StateStore store;
  private Applier applier;
  private long index;

  @Setup(Level.Trial)
  public void open() throws Exception {
    dir = ScratchDirs.create("apply");
    memory = new RocksMemory(64 << 20, 64 << 20);
    store = new StateStore(dir, memory);
    applier = new Applier(store, "jmh", 1000, 100_000, NodeConfig.defaults().keyCacheBytes());
  }

  @Benchmark
  public Object apply() {
    long i = ++index;
    return applier.apply(Batches.puts(ops, 100, i * ops, writers).toByteArray(), 1, i);
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    applier.close();
    store.close();
    memory.close();
    ScratchDirs.delete(dir);
  }
}
