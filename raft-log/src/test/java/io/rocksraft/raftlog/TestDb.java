package io.rocksraft.raftlog;

import java.io.IOException;
import java.nio.file.Path;
import org.rocksdb.LRUCache;

/** The payload database in a directory, as a node opens it. */
final class TestDb implements AutoCloseable {
  private final LRUCache cache = RocksDatabase.newBlockCache(8 << 20);
  private final LogDb logDb;
  final LogStore store;

  TestDb(Path dir) throws IOException {
    logDb = new LogDb(dir, cache, "test");
    store = logDb.store();
  }

  @Override
  public void close() {
    logDb.close();
    cache.close();
  }
}
