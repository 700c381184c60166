package io.rocksraft.server.state;

import io.rocksraft.raftlog.RocksDatabase;
import io.rocksraft.raftlog.RocksMemory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;

/**
 * The node's state database: column families {@code kv} (the user's keys), {@code meta}
 * (applied index, revision, exactly-once sessions) and {@code history} (recent changes, for
 * watches). A snapshot is a checkpoint of exactly this database; the Raft log payloads live
 * in a database of their own ({@link io.rocksraft.raftlog.LogDb}).
 */
public final class StateStore implements AutoCloseable {
  public static final String KV = "kv";
  public static final String META = "meta";
  public static final String HISTORY = "history";

  private final RocksDatabase database;
  private final ColumnFamilyHandle kv;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle history;

  public StateStore(Path dir, RocksMemory memory) throws IOException {
    this.database = RocksDatabase.open(dir, List.of(KV, META, HISTORY), memory);
    this.kv = database.family(KV);
    this.meta = database.family(META);
    this.history = database.family(HISTORY);
  }

  public RocksDB db() {
    return database.db();
  }

  /** The database with its column families by name, for statistics. */
  public RocksDatabase database() {
    return database;
  }

  public ColumnFamilyHandle kv() {
    return kv;
  }

  public ColumnFamilyHandle meta() {
    return meta;
  }

  /** Recent changes by revision, for watches. */
  public ColumnFamilyHandle history() {
    return history;
  }

  public Path dir() {
    return database.dir();
  }

  /** Syncs the WAL and closes: nothing written before close is lost. */
  @Override
  public void close() {
    database.close();
  }
}
