package io.rocksraft.raftlog;

import java.nio.ByteBuffer;

/** Log indexes as 8-byte big-endian keys, so RocksDB's byte order is index order. */
final class LogKeys {
  private LogKeys() {}

  static byte[] key(long index) {
    return ByteBuffer.allocate(Long.BYTES).putLong(index).array();
  }

  static long index(byte[] key) {
    return ByteBuffer.wrap(key).getLong();
  }
}
