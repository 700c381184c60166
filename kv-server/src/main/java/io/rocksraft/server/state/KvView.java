package io.rocksraft.server.state;

import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.RangeResponse;
import com.google.protobuf.UnsafeByteOperations;
import java.util.ArrayList;
import java.util.List;
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

  /** Up to {@code max} keys of the range from {@code from} on, in order. */
  List<byte[]> keys(KeyRange range, byte[] from, int max) {
    List<byte[]> keys = new ArrayList<>();
    try (RocksIterator it = iterator()) {
      for (it.seek(from); keys.size() < max && it.isValid() && range.contains(it.key()); it.next()) {
        keys.add(it.key());
      }
    }
    return keys;
  }

  /** At most {@code limit} keys of the range, with the continuation when more remain. */
  RangeResponse.Builder range(KeyRange range, int limit, boolean keysOnly) {
    return range(range, limit, keysOnly, Long.MAX_VALUE);
  }

  /**
   * At most {@code limit} keys of the range, and no more once their key-values pass
   * {@code maxBytes}; with the continuation when more remain.
   */
  RangeResponse.Builder range(KeyRange range, int limit, boolean keysOnly, long maxBytes) {
    RangeResponse.Builder out = RangeResponse.newBuilder();
    long bytes = 0;
    try (RocksIterator it = iterator()) {
      it.seek(range.from());
      byte[] last = null;
      while (it.isValid() && range.contains(it.key())) {
        if (out.getKvsCount() == limit || bytes > maxBytes) {
          out.setMore(true).setNextStart(UnsafeByteOperations.unsafeWrap(KeyRange.successor(last)));
          break;
        }
        last = it.key();
        KeyValue kv = StoredValue.decode(it.value()).toKeyValue(last, keysOnly);
        out.addKvs(kv);
        bytes += kv.getSerializedSize();
        it.next();
      }
    }
    return out;
  }
}
