package io.rocksraft.server.state;

import io.rocksraft.api.v1.HashResponse;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/** SHA-256 over the logical state (keys, values, revisions, versions, store revision). */
final class StateHasher {
  private StateHasher() {}

  /** Hashes the state as of {@code snapshot}; releases the snapshot. */
  static HashResponse hash(StateStore store, Snapshot snapshot, String memberId, long index, long revision) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long keys = 0;
    ByteBuffer len = ByteBuffer.allocate(Integer.BYTES);
    try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot);
         RocksIterator it = store.db().newIterator(store.kv(), ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        // Length prefixes keep (ab, c) and (a, bc) apart.
        byte[] key = it.key();
        byte[] value = it.value();
        sha.update(len.clear().putInt(key.length).array());
        sha.update(key);
        sha.update(len.clear().putInt(value.length).array());
        sha.update(value);
        keys++;
      }
    } finally {
      store.db().releaseSnapshot(snapshot);
    }
    sha.update(ByteBuffer.allocate(Long.BYTES).putLong(revision).array());
    return HashResponse.newBuilder()
        .setMemberId(memberId).setIndex(index).setHash(HexFormat.of().formatHex(sha.digest()))
        .setKeys(keys).setRevision(revision).build();
  }
}
