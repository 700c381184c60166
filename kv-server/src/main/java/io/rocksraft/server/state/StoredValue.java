package io.rocksraft.server.state;

import io.rocksraft.api.v1.KeyValue;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;

/**
 * A key's value and its bookkeeping as stored in the {@code kv} column family:
 * create revision, mod revision and version (8 bytes each, big-endian), then the value.
 */
record StoredValue(long createRevision, long modRevision, long version, byte[] value) {
  private static final int HEADER = 3 * Long.BYTES;

  byte[] encode() {
    return ByteBuffer.allocate(HEADER + value.length)
        .putLong(createRevision).putLong(modRevision).putLong(version).put(value).array();
  }

  static StoredValue decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long create = b.getLong();
    long mod = b.getLong();
    long version = b.getLong();
    byte[] value = new byte[b.remaining()];
    b.get(value);
    return new StoredValue(create, mod, version, value);
  }

  KeyValue toKeyValue(byte[] key, boolean keysOnly) {
    KeyValue.Builder kv = KeyValue.newBuilder()
        .setKey(UnsafeByteOperations.unsafeWrap(key))
        .setCreateRevision(createRevision)
        .setModRevision(modRevision)
        .setVersion(version);
    if (!keysOnly) {
      kv.setValue(UnsafeByteOperations.unsafeWrap(value));
    }
    return kv.build();
  }
}
