package io.rocksraft.server.tier;

import java.io.IOException;

/** A failure of the object-storage tier: the store, a manifest, a checksum. */
public class TierException extends IOException {
  public TierException(String message) {
    super(message);
  }

  public TierException(String message, Throwable cause) {
    super(message, cause);
  }
}
