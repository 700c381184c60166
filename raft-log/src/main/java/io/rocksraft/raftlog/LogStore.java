package io.rocksraft.raftlog;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raft log-entry payloads in one RocksDB column family, keyed by the big-endian log index.
 *
 * <p>Appends are not synced one by one; {@link #flush(long)} syncs the RocksDB WAL once for
 * everything appended so far (group commit). The sync runs on its own thread so that it
 * overlaps the Ratis segment sync instead of following it. Meanwhile Ratis' appendEntries thread
 * may truncate the tail and append a new leader's entries: a sync vouches only for the payloads
 * written before it began and not written again since.
 *
 * <p>The store does not own the database: {@link LogDb} opens it and hands this store its
 * column family.
 */
public final class LogStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogStore.class);

  private final RocksDB db;
  private final ColumnFamilyHandle cf;
  private final WriteOptions appendOptions = new WriteOptions().setSync(false);
  private final ExecutorService syncer;
  private final WalSync walSync;

  /** Highest index appended (guarded by this). */
  private long appendedIndex;
  /**
   * Highest index up to which every payload is on disk: written before a WAL sync began that has
   * completed, and not written again since (guarded by this).
   */
  private long durableIndex;
  /**
   * What the running WAL sync makes durable (one runs at a time, on the sync thread): the appended
   * index when it began, lowered by every write since at or below it (guarded by this).
   */
  private long syncCovers;

  /** Syncs the RocksDB write-ahead log. */
  @FunctionalInterface
  interface WalSync {
    void sync() throws RocksDBException;
  }

  public LogStore(RocksDB db, ColumnFamilyHandle cf, String name) {
    this(db, cf, name, db::syncWal);
  }

  /** {@code walSync}: how the WAL reaches the disk (a test holds it to widen a race). */
  LogStore(RocksDB db, ColumnFamilyHandle cf, String name, WalSync walSync) {
    this.db = Objects.requireNonNull(db, "db");
    this.cf = Objects.requireNonNull(cf, "cf");
    this.walSync = Objects.requireNonNull(walSync, "walSync");
    this.syncer = Executors.newSingleThreadExecutor(Threads.daemon(name + "-wal-sync"));
    long last = lastIndex().orElse(0L);
    this.appendedIndex = last;
    // Whatever survived reopening is on disk.
    this.durableIndex = last;
  }

  /** Appends (or overwrites) the payload at {@code index}; not durable until {@link #flush}. */
  public void append(long index, byte[] payload) throws IOException {
    try {
      db.put(cf, appendOptions, LogKeys.key(index), payload);
    } catch (RocksDBException e) {
      throw new IOException("raft_log append failed at index " + index, e);
    }
    synchronized (this) {
      // A payload written again (a new leader's over a crash's leftovers) is on disk only after a sync
      // that began after it. Ratis asks flush(index) only once write(index) has returned.
      notDurableFrom(index);
      appendedIndex = Math.max(appendedIndex, index);
    }
  }

  /** The payload at {@code index}, or empty when it was never written, truncated or purged. */
  public Optional<byte[]> read(long index) throws IOException {
    try {
      return Optional.ofNullable(db.get(cf, LogKeys.key(index)));
    } catch (RocksDBException e) {
      throw new IOException("raft_log read failed at index " + index, e);
    }
  }

  /**
   * Makes every payload the log holds up to {@code index} durable. Calls queued behind a running
   * sync are answered by the next single sync (group commit).
   */
  public CompletableFuture<Void> flush(long index) {
    synchronized (this) {
      if (covered(index)) {
        return CompletableFuture.completedFuture(null);
      }
    }
    return CompletableFuture.runAsync(() -> syncCovering(index), syncer);
  }

  /**
   * Syncs until the payloads up to {@code index} are durable: again when a truncate or a rewrite
   * during a sync replaced payloads that sync covered, since their new content may have missed it.
   */
  private void syncCovering(long index) {
    while (true) {
      synchronized (this) {
        if (covered(index)) {
          return;
        }
        syncCovers = appendedIndex;
      }
      try {
        walSync.sync();
      } catch (RocksDBException e) {
        throw new IllegalStateException("raft_log WAL sync failed", e);
      }
      synchronized (this) {
        durableIndex = Math.max(durableIndex, syncCovers);
      }
    }
  }

  /** Whether every payload at or below {@code index} that the log holds now is durable (holding this). */
  private boolean covered(long index) {
    return Math.min(index, appendedIndex) <= durableIndex;
  }

  /** The payloads from {@code index} on have changed since any sync now running began (holding this). */
  private void notDurableFrom(long index) {
    durableIndex = Math.min(durableIndex, index - 1);
    syncCovers = Math.min(syncCovers, index - 1);
  }

  /** Removes every payload at or above {@code fromIndex}: a follower's conflicting tail. */
  public void truncate(long fromIndex) throws IOException {
    try {
      db.deleteRange(cf, LogKeys.key(fromIndex), LogKeys.key(Long.MAX_VALUE));
    } catch (RocksDBException e) {
      throw new IOException("raft_log truncate failed from index " + fromIndex, e);
    }
    synchronized (this) {
      appendedIndex = Math.min(appendedIndex, fromIndex - 1);
      notDurableFrom(fromIndex);
    }
    LOG.info("raft_log truncated from index {}", fromIndex);
  }

  /** Removes every payload at or below {@code upToIndex}: entries a snapshot already covers. */
  public void purge(long upToIndex) throws IOException {
    if (upToIndex < 0) {
      return;
    }
    try {
      db.deleteRange(cf, LogKeys.key(0), LogKeys.key(upToIndex + 1));
    } catch (RocksDBException e) {
      throw new IOException("raft_log purge failed up to index " + upToIndex, e);
    }
    LOG.debug("raft_log purged up to index {}", upToIndex);
  }

  public Optional<Long> firstIndex() {
    try (RocksIterator it = db.newIterator(cf)) {
      it.seekToFirst();
      return it.isValid() ? Optional.of(LogKeys.index(it.key())) : Optional.empty();
    }
  }

  public Optional<Long> lastIndex() {
    try (RocksIterator it = db.newIterator(cf)) {
      it.seekToLast();
      return it.isValid() ? Optional.of(LogKeys.index(it.key())) : Optional.empty();
    }
  }

  public synchronized long durableIndex() {
    return durableIndex;
  }

  @Override
  public void close() {
    Threads.stop(syncer, false);
    appendOptions.close();
  }
}
