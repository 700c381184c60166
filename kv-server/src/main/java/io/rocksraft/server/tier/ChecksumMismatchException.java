package io.rocksraft.server.tier;

/** A file's size or CRC32C is not what its manifest says. */
public final class ChecksumMismatchException extends TierException {
  public ChecksumMismatchException(String message) {
    super(message);
  }
}
