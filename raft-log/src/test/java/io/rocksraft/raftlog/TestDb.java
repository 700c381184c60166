package io.rocksraft.raftlog;

import java.io.IOException;
import java.nio.file.Path;
import org.rocksdb.RocksDB;


/** The payload database in a directory, as a node opens it. */
final class TestDb implements AutoCloseable {
  private final RocksMemory memory = new RocksMemory(8 << 20, 8 << 20);
  private final LogDb logDb;
  final LogStore store;

  TestDb(Path dir) throws IOException {
    logDb = new LogDb(dir, memory, "test");
    store = logDb.store();
  }

  RocksDB db() {
    return logDb.database().db();
  }

  /** A second store over the same column family whose WAL syncs go through {@code walSync}; the caller closes it. */
  LogStore storeWith(LogStore.WalSync walSync) {
    RocksDatabase database = logDb.database();
    return new LogStore(database.db(), database.family(LogDb.RAFT_LOG), "test-held", walSync);
  }

  @Override
  public void close() {
    logDb.close();
    memory.close();
  }
}
