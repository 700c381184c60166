package io.rocksraft.server.state;

import io.rocksraft.server.internal.Bounds;

/**
 * What one log entry's writes may do together, and what they have done so far: keys changed
 * and bytes of answers. The bounds come from the entry ({@link Bounds}, stamped by the node that
 * proposed it), never from the applying node's configuration, so every replica makes the same
 * decisions; an entry without them gets the defaults, and none gets more than the ceilings.
 */
public final class EntryBudget {
  /** The default of {@code limits.maxWriteKeys}, and the bound of entries that carry none. */
  public static final int DEFAULT_WRITE_KEYS = 10_000;
  /** The default of {@code limits.maxResultBytes}, and the bound of entries that carry none. */
  public static final int DEFAULT_RESULT_BYTES = 8 << 20;
  /** No entry changes more keys, whatever it carries: each costs the write batch and the history. */
  public static final int MAX_WRITE_KEYS = 1_000_000;
  /** No entry answers more, whatever it carries: half the 64 MiB Ratis message its answers travel in. */
  public static final int MAX_RESULT_BYTES = 32 << 20;

  /** A write would pass a bound; what it did is undone. */
  static final class Exceeded extends RuntimeException {
    Exceeded(String message) {
      super(message, null, false, false);
    }
  }

  private final int maxKeys;
  private final int maxBytes;
  private final int rangeLimit;
  private int keys;
  private long bytes;
  private int keysBefore;
  private long bytesBefore;

  private EntryBudget(int maxKeys, int maxBytes, int rangeLimit) {
    this.maxKeys = maxKeys;
    this.maxBytes = maxBytes;
    this.rangeLimit = rangeLimit;
  }

  /** The entry's bounds; {@code defaultRangeLimit} for an entry that names none. */
  static EntryBudget of(Bounds bounds, int defaultRangeLimit) {
    return new EntryBudget(
        bound(bounds.getMaxWriteKeys(), DEFAULT_WRITE_KEYS, MAX_WRITE_KEYS),
        bound(bounds.getMaxResultBytes(), DEFAULT_RESULT_BYTES, MAX_RESULT_BYTES),
        bound(bounds.getMaxRangeLimit(), defaultRangeLimit, Integer.MAX_VALUE));
  }

  private static int bound(int carried, int defaultValue, int ceiling) {
    // Unsigned in the entry: a "negative" int is a huge bound, clamped like any other.
    return carried == 0 ? defaultValue : (int) Math.min(Integer.toUnsignedLong(carried), ceiling);
  }

  /** Most keys a range inside a transaction of this entry answers. */
  int rangeLimit() {
    return rangeLimit;
  }

  /** A write of the entry begins: what it does from here on can be undone. */
  void begin() {
    keysBefore = keys;
    bytesBefore = bytes;
  }

  /** Whether the write that began is the first to use the budget: alone, it had all of it. */
  boolean alone() {
    return keysBefore == 0 && bytesBefore == 0;
  }

  /** The write changes {@code n} more keys. */
  void changeKeys(int n) {
    keys += n;
    if (keys > maxKeys) {
      throw new Exceeded("the write changes more than " + maxKeys + " keys, the most one write may change "
          + "(limits.maxWriteKeys); delete in smaller ranges (a keys_only range with a limit shows where to split)");
    }
  }

  /** Bytes the write's answer may still grow by. */
  long answerBytesLeft() {
    return maxBytes - bytesBefore;
  }

  /** The write's answer is {@code size} bytes so far (or in all, when it is done). */
  void answer(long size) {
    if (bytesBefore + size > maxBytes) {
      throw new Exceeded("the answer would be larger than " + maxBytes + " bytes, the most one answer may hold "
          + "(limits.maxResultBytes); read less in one request: ranges with a limit or keys_only, fewer reads per txn");
    }
    bytes = bytesBefore + size;
  }

  /** Undoes what the write that began used. */
  void undo() {
    keys = keysBefore;
    bytes = bytesBefore;
  }
}
