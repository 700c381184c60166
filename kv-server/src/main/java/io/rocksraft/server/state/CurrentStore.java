package io.rocksraft.server.state;

import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The state database in use. Installing a snapshot replaces it, so readers go through
 * {@link #read}: it waits while the database is being replaced and fails with UNAVAILABLE
 * once it is closed. No read ever reaches a closed RocksDB (that would crash the JVM).
 */
final class CurrentStore implements AutoCloseable {
  /** Opens the replacement once the old database is closed. */
  interface Reopen {
    StateStore open() throws IOException;
  }

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Null once closed (or when a replacement failed to open). */
  private volatile StateStore store;

  CurrentStore(StateStore store) {
    this.store = store;
  }

  /**
   * The database without a lock: for the apply thread, the only writer and the one that
   * replaces it. Null once closed.
   */
  StateStore get() {
    return store;
  }

  /** Runs {@code reader} on the database, which stays open until it returns. */
  <T> T read(Function<StateStore, T> reader) {
    lock.readLock().lock();
    try {
      StateStore current = store;
      if (current == null) {
        throw new KvException(ErrorKind.UNAVAILABLE, "this node's state database is closed; ask another node");
      }
      return reader.apply(current);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Closes the database and makes what {@code reopen} opens the current one, with no reader
   * inside meanwhile. When {@code reopen} fails, the store stays closed.
   */
  void replace(Reopen reopen) throws IOException {
    lock.writeLock().lock();
    try {
      StateStore old = store;
      store = null;
      if (old != null) {
        old.close();
      }
      store = reopen.open();
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    try {
      replace(() -> null);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
