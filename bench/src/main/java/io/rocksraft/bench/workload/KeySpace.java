package io.rocksraft.bench.workload;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keys are {@code k} and the zero-padded key id, exactly {@code keySize} bytes, so that key ids
 * and keys sort alike and a scan from one id covers the next ids.
 */
public record KeySpace(long keys, int keySize) {
  public KeySpace {
    if (keys < 1) {
      throw new IllegalArgumentException("--keys must be at least 1");
    }
    int digits = Long.toString(keys - 1).length();
    if (keySize < digits + 1) {
      throw new IllegalArgumentException("--key-size " + keySize + " is too small for " + keys + " keys: at least "
          + (digits + 1) + " bytes are needed");
    }
  }

  public byte[] key(long id) {
    byte[] key = new byte[keySize];
    Arrays.fill(key, (byte) '0');
    key[0] = 'k';
    byte[] digits = Long.toString(id).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, key, keySize - digits.length, digits.length);
    return key;
  }
}
