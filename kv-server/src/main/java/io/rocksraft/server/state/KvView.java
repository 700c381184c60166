package io.rocksraft.server.state;

import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.RangeResponse;
import com.google.protobuf.UnsafeByteOperations;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Reads of one column family, either of the committed database or of the database as a
 * pending write batch would leave it (so that later operations of a transaction see the
 * earlier ones).
 */
final class KvView {
  private final RocksDB db;
  private final ColumnFamilyHandle cf;
  private final WriteBatchWithIndex pending;
  private final ReadOptions readOptions;

  KvView(RocksDB db, ColumnFamilyHandle cf, WriteBatchWithIndex pending, ReadOptions readOptions) {
    this.db = db;
    this.cf = cf;
    this.pending = pending;
    this.readOptions = readOptions;
  }

  byte[] getRaw(byte[] key) {
    try {
      return pending == null ? db.get(cf, readOptions, key) : pending.getFromBatchAndDB(db, cf, readOptions, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("RocksDB read failed", e);
    }
  }

  StoredValue get(byte[] key) {
    byte[] raw = getRaw(key);
    return raw == null ? null : StoredValue.decode(raw);
  }

  RocksIterator iterator() {
    RocksIterator base = db.newIterator(cf, readOptions);
    return pending == null ? base : pending.newIteratorWithBase(cf, base, readOptions);
  }

  /** Visits every key in the range, in order, with its raw stored bytes. */
  void forEach(KeyRange range, BiConsumer<byte[], byte[]> visitor) {
    try (RocksIterator it = iterator()) {
      for (it.seek(range.from()); it.isValid() && range.contains(it.key()); it.next()) {
        visitor.accept(it.key(), it.value());
      }
    }
  }

  /** At most {@code limit} keys of the range, with the continuation when more remain. */
  RangeResponse.Builder range(KeyRange range, int limit, boolean keysOnly) {
    RangeResponse.Builder out = RangeResponse.newBuilder();
    try (RocksIterator it = iterator()) {
      it.seek(range.from());
      byte[] last = null;
      while (it.isValid() && range.contains(it.key())) {
        if (out.getKvsCount() == limit) {
          out.setMore(true).setNextStart(UnsafeByteOperations.unsafeWrap(KeyRange.successor(last)));
          break;
        }
        last = it.key();
        KeyValue kv = StoredValue.decode(it.value()).toKeyValue(last, keysOnly);
        out.addKvs(kv);
        it.next();
      }
    }
    return out;
  }
}
