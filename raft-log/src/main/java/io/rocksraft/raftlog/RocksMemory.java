package io.rocksraft.raftlog;

import java.util.OptionalLong;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;

import org.rocksdb.WriteBufferManager;

/**
 * The memory a node's RocksDB databases share: one block cache and a write buffer manager that
 * charges every memtable of every database to that cache. The cache's capacity, the block
 * budget plus the memtable budget, therefore bounds both together: memtables past their budget
 * are flushed, and blocks are evicted to make room for memtables.
 *
 * <p>Index and filter blocks are cached too ({@link RocksDatabase}), so what RocksDB holds
 * outside this bound is small: iterators' pinned blocks and per-file metadata.
 */
public final class RocksMemory implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final long blockCacheBytes;
  private final long writeBufferBytes;
  private final LRUCache cache;
  private final WriteBufferManager writeBuffers;
  /** Guarded by this: a statistics read on a closed cache would crash the JVM. */
  private boolean closed;

  public RocksMemory(long blockCacheBytes, long writeBufferBytes) {
    if (blockCacheBytes <= 0 || writeBufferBytes <= 0) {
      throw new IllegalArgumentException("block cache and write buffer budgets must be positive, got "
          + blockCacheBytes + " and " + writeBufferBytes);
    }
    this.blockCacheBytes = blockCacheBytes;
    this.writeBufferBytes = writeBufferBytes;
    this.cache = new LRUCache(blockCacheBytes + writeBufferBytes);
    this.writeBuffers = new WriteBufferManager(writeBufferBytes, cache);
  }

  public Cache cache() {
    return cache;
  }

  WriteBufferManager writeBuffers() {
    return writeBuffers;
  }

  /** The bound on blocks and memtables together: the cache's capacity. */
  public long capacityBytes() {
    return blockCacheBytes + writeBufferBytes;
  }

  public long writeBufferBytes() {
    return writeBufferBytes;
  }

  /** One memtable's size: a quarter of the budget (at least 256 KiB), so that flushes spread over it. */
  long memtableBytes() {
    return Math.max(256 << 10, writeBufferBytes / 4);
  }

  /** Bytes of the cache in use by readers (pinned, not evictable); empty once closed. */
  public synchronized OptionalLong pinnedBytes() {
    return closed ? OptionalLong.empty() : OptionalLong.of(cache.getPinnedUsage());
  }

  /** Closes after every database that uses it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    writeBuffers.close();
    cache.close();
  }
}
