package io.rocksraft.raftlog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** A RocksDB with a {@code raft_log} column family in a directory, as a node opens it. */
final class TestDb implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  final RocksDB db;
  final ColumnFamilyHandle raftLog;
  final LogStore store;
  private final List<ColumnFamilyHandle> handles;
  private final DBOptions options;

  TestDb(Path dir) throws RocksDBException {
    options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
    List<ColumnFamilyDescriptor> cfs = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
        new ColumnFamilyDescriptor("raft_log".getBytes(StandardCharsets.UTF_8)));
    handles = new ArrayList<>();
    db = RocksDB.open(options, dir.toString(), cfs, handles);
    raftLog = handles.get(1);
    store = new LogStore(db, raftLog, "test");
  }

  @Override
  public void close() {
    store.close();
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    options.close();
  }
}
