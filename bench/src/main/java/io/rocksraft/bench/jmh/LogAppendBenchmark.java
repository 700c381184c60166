package io.rocksraft.bench.jmh;

import io.rocksraft.raftlog.LogDb;
import io.rocksraft.raftlog.LogStore;
import io.rocksraft.raftlog.RocksMemory;
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
 * raft-log's write path: {@code entries} payloads appended (no sync each) and one flush that
 * syncs the RocksDB WAL for all of them, as Ratis' log worker does at each of its flushes. The
 * time per operation is one such group commit, on this machine's disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LogAppendBenchmark {
  /** Entries per flush. */
  @Param({"1", "8", "64"})
  int entries;

  /** One entry's payload: a coalesced batch of 16 puts of 100-byte values is about 2.5 KB. */
  @Param({"2500"})
  int payloadBytes;

  private Path dir;
  private RocksMemory memory;
  private LogDb db;
  private LogStore store;
  private byte[] payload;
  private long index;

  @Setup(Level.Trial)
  public void open() throws Exception {
    dir = ScratchDirs.create("log");
    memory = new RocksMemory(8 << 20, 8 << 20);
    db = new LogDb(dir, memory, "jmh");
    store = db.store();
    payload = new byte[payloadBytes];
  }

  @Benchmark
  public void appendAndFlush() throws Exception {
    for (int i = 0; i < entries; i++) {
      store.append(++index, payload);
    }
    store.flush(index).get();
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    db.close();
    memory.close();
    ScratchDirs.delete(dir);
  }
}
