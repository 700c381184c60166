package io.rocksraft.server.state;

import com.google.protobuf.ByteString;
import java.util.Arrays;

/**
 * A resolved key range [from, to); {@code to == null} means unbounded. Built from the
 * start/end/prefix fields that Range and DeleteRange share.
 */
public record KeyRange(byte[] from, byte[] to) {

  public static KeyRange of(ByteString start, ByteString end, ByteString prefix) {
    if (prefix.isEmpty()) {
      return new KeyRange(start.toByteArray(), end.isEmpty() ? null : end.toByteArray());
    }
    byte[] p = prefix.toByteArray();
    byte[] s = start.toByteArray();
    byte[] from = Arrays.compareUnsigned(s, p) > 0 ? s : p;
    return new KeyRange(from, prefixEnd(p));
  }

  /** The smallest key greater than every key with this prefix, or null when there is none. */
  public static byte[] prefixEnd(byte[] prefix) {
    byte[] end = Arrays.copyOf(prefix, prefix.length);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return null;
  }

  boolean contains(byte[] key) {
    return Arrays.compareUnsigned(key, from) >= 0 && (to == null || Arrays.compareUnsigned(key, to) < 0);
  }

  /** The key right after {@code key} in byte order: where a continuation starts. */
  static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }
}
