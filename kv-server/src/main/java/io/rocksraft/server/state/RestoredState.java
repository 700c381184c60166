package io.rocksraft.server.state;

import io.rocksraft.raftlog.RocksMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A state database restored from a backup, readied to seed a new Raft group: the keys, their
 * revisions, the change history and the exactly-once sessions stay; the old group's log
 * position, member addresses and hash points go, because the new group's log starts again at 1
 * and its members come from its own configuration.
 */
public final class RestoredState {
  private RestoredState() {}

  /** Rebases the database in {@code dbDir} in place; returns the state it held (revision kept). */
  public static AppliedState rebase(Path dbDir) throws IOException {
    try (RocksMemory memory = new RocksMemory(8L << 20, 8L << 20)) {
      StateStore store = new StateStore(dbDir, memory);
      try (WriteBatch wb = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
        byte[] applied = store.db().get(store.meta(), MetaKeys.APPLIED);
        long revision = MetaKeys.toLong(store.db().get(store.meta(), MetaKeys.REVISION));
        ByteBuffer before = applied == null ? ByteBuffer.allocate(16) : ByteBuffer.wrap(applied);
        AppliedState old = new AppliedState(before.getLong(), before.getLong(), revision);
        wb.put(store.meta(), MetaKeys.APPLIED, new byte[16]);
        wb.deleteRange(store.meta(), new byte[] {MetaKeys.MEMBER}, new byte[] {MetaKeys.MEMBER + 1});
        wb.deleteRange(store.meta(), new byte[] {MetaKeys.HASH}, new byte[] {MetaKeys.HASH + 1});
        store.db().write(sync, wb);
        return old;
      } catch (RocksDBException e) {
        throw new IOException("rebasing the restored state in " + dbDir + " failed: " + e.getMessage(), e);
      } finally {
        store.close();
      }
    }
  }
}
