package io.rocksraft.server.state;

import com.google.protobuf.ByteString;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The revisions and version of recently written keys, as the apply thread last left them, so
 * that a put or delete need not read its key's previous state back from RocksDB (a point read
 * through the memtables and files was the largest cost of applying a write). Values are not
 * kept: a write that returns the previous value reads it.
 *
 * <p>Bounded by an estimate of its heap use, least recently used keys first out. Used by the
 * apply thread only; an applier's cache lives and dies with its database, so an installed
 * snapshot starts empty.
 */
final class KeyVersions {
  /** What the kv column family holds for a key; {@link #ABSENT} when it holds nothing. */
  record Version(long createRevision, long modRevision, long version) {
    static final Version ABSENT = new Version(0, 0, 0);

    static Version of(StoredValue v) {
      return v == null ? ABSENT : new Version(v.createRevision(), v.modRevision(), v.version());
    }

    boolean absent() {
      return version == 0;
    }
  }

  /** Heap per entry beyond the key's bytes: map node, key and value objects (64-bit JVM, compressed oops). */
  static final int ENTRY_OVERHEAD = 128;

  private final long maxBytes;
  private final LinkedHashMap<ByteString, Version> entries = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;

  /** {@code maxBytes} 0 keeps nothing. */
  KeyVersions(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The key's version as last written or read, or null when not kept. */
  Version get(ByteString key) {
    return entries.get(key);
  }

  void put(ByteString key, Version version) {
    if (maxBytes == 0) {
      return;
    }
    if (entries.put(key, version) == null) {
      bytes += key.size() + ENTRY_OVERHEAD;
      Iterator<Map.Entry<ByteString, Version>> eldest = entries.entrySet().iterator();
      while (bytes > maxBytes && eldest.hasNext()) {
        bytes -= eldest.next().getKey().size() + ENTRY_OVERHEAD;
        eldest.remove();
      }
    }
  }

  /** Forgets everything: after a failed apply the cache may hold writes the database does not. */
  void clear() {
    entries.clear();
    bytes = 0;
  }
}
