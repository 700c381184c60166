package io.rocksraft.server.state;

import com.google.protobuf.ByteString;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The revisions and version of recently written keys, as the apply thread last left them, so
 * that a put or delete need not read its key's previous state back from RocksDB (a point read
 * through the memtables and files was the largest cost of applying a write). Values are not
 * kept: a write that returns the previous value reads it.
 *
 * <p>Bounded by an estimate of its heap use. A kept key's figures are updated in place and a hit
 * relinks nothing; eviction is second-chance (CLOCK) in insertion order. A least-recently-used
 * map with a new value object per write made, at every write, an object that outlived the young
 * generation and pointers from old objects to new ones, which the young collections then had to
 * scan: most of their pause (docs/performance.md). Used by the apply thread only; an applier's
 * cache lives and dies with its database, so an installed snapshot starts empty.
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

  /** One kept key's figures; {@code used} is its second chance, cleared when eviction passes it. */
  private static final class Slot {
    long createRevision;
    long modRevision;
    long version;
    boolean used;
  }

  /** Heap per entry beyond the key's bytes: map node, key and slot objects (64-bit JVM, compressed oops). */
  static final int ENTRY_OVERHEAD = 128;

  private final long maxBytes;
  private final LinkedHashMap<ByteString, Slot> entries = new LinkedHashMap<>(1024);
  private long bytes;

  /** {@code maxBytes} 0 keeps nothing. */
  KeyVersions(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The key's version as last written or read, or null when not kept. */
  Version get(ByteString key) {
    Slot s = entries.get(key);
    if (s == null) {
      return null;
    }
    s.used = true;
    return new Version(s.createRevision, s.modRevision, s.version);
  }

  void put(ByteString key, Version version) {
    if (maxBytes == 0) {
      return;
    }
    Slot s = entries.get(key);
    boolean added = s == null;
    if (added) {
      s = new Slot();
      entries.put(key, s);
      bytes += key.size() + ENTRY_OVERHEAD;
    }
    s.createRevision = version.createRevision();
    s.modRevision = version.modRevision();
    s.version = version.version();
    s.used = true;
    if (added) {
      evict();  // after marking the new key used, so that eviction takes the oldest, not this one
    }
  }

  /** Drops the oldest keys not used since eviction last passed them until the bound holds. */
  private void evict() {
    while (bytes > maxBytes && !entries.isEmpty()) {
      Map.Entry<ByteString, Slot> eldest = entries.entrySet().iterator().next();
      entries.remove(eldest.getKey());
      if (eldest.getValue().used) {
        eldest.getValue().used = false;
        entries.put(eldest.getKey(), eldest.getValue());
      } else {
        bytes -= eldest.getKey().size() + ENTRY_OVERHEAD;
      }
    }
  }

  /** Forgets everything: after a failed apply the cache may hold writes the database does not. */
  void clear() {
    entries.clear();
    bytes = 0;
  }
}
