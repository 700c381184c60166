package io.rocksraft.server.tier;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * A small RocksDB for making real checkpoints: automatic compactions off, so that the SST files
 * change only when a test flushes or compacts.
 */
final class TestDb implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final Options options;
  private final RocksDB db;

  TestDb(Path dir) throws Exception {
    options = new Options().setCreateIfMissing(true).setDisableAutoCompactions(true);
    db = RocksDB.open(options, dir.toString());
  }

  /** Writes keys {@code k<from>} .. {@code k<to - 1>} and flushes them into a new SST. */
  TestDb write(int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      db.put(bytes(key(i)), bytes("value-" + i + "-" + "x".repeat(100)));
    }
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    }
    return this;
  }

  /** Compacts everything into new SSTs; the old ones leave the DB. */
  TestDb compact() throws Exception {
    try (CompactRangeOptions all = new CompactRangeOptions()
        .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
      db.compactRange(null, null, null, all);
    }
    return this;
  }

  /** A RocksDB checkpoint (hard links) in {@code target}, which must not exist yet. */
  Path checkpoint(Path target) throws Exception {
    try (Checkpoint checkpoint = Checkpoint.create(db)) {
      checkpoint.createCheckpoint(target.toString());
    }
    return target;
  }

  static String key(int i) {
    return String.format("k%06d", i);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Opens the DB in {@code dir} (as a restore left it) and reads every key and value. */
  static Map<String, String> contents(Path dir) throws Exception {
    Map<String, String> all = new TreeMap<>();
    try (Options options = new Options().setCreateIfMissing(false);
         RocksDB db = RocksDB.open(options, dir.toString());
         RocksIterator it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        all.put(new String(it.key(), StandardCharsets.UTF_8), new String(it.value(), StandardCharsets.UTF_8));
      }
    }
    return all;
  }

  @Override
  public void close() {
    db.close();
    options.close();
  }
}
