package io.rocksraft.raftlog;

import java.io.IOException;
import java.nio.file.Path;


/** The payload database in a directory, as a node opens it. */
final class TestDb implements AutoCloseable {
  private final RocksMemory cache = new RocksMemory(8 << 20, 8 << 20);
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
