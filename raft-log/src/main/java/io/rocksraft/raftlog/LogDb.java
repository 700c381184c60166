package io.rocksraft.raftlog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The node's Raft log payloads: a RocksDB of their own (column family {@code raft_log}) and
 * the {@link LogStore} over it. Kept apart from the state database so that a snapshot holds
 * the state only and installing one replaces the state without touching the log.
 */
public final class LogDb implements AutoCloseable {
  public static final String RAFT_LOG = "raft_log";

  private final RocksDatabase database;
  private final LogStore store;

  public LogDb(Path dir, RocksMemory memory, String name) throws IOException {
    this(dir, memory, name, true);
  }

  /**
   * {@code syncWal} false: a flush answers without syncing anything. Never in production: it
   * exists so that the fault-injection runs can show their power cuts catch unsynced logs.
   */
  public LogDb(Path dir, RocksMemory memory, String name, boolean syncWal) throws IOException {
    this.database = RocksDatabase.open(dir, List.of(RAFT_LOG), memory);
    RocksDB db = database.db();
    this.store = new LogStore(db, database.family(RAFT_LOG), name, syncWal ? db::syncWal : () -> { });
  }

  public LogStore store() {
    return store;
  }

  public RocksDatabase database() {
    return database;
  }

  /**
   * The lowest index with a payload (0 when none), for statistics: safe to ask from any
   * thread, also around close.
   *
   * @throws IllegalStateException once closed
   */
  public long firstIndex() {
    try {
      return database.whileOpen(() -> store.firstIndex().orElse(0L));
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    store.close();
    database.close();
  }
}
