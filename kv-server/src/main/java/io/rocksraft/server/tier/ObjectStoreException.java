package io.rocksraft.server.tier;

/**
 * An object-store request that failed for good: either it cannot succeed as asked (access
 * denied, no such bucket) or it kept failing through every retry (the message says how often).
 */
public class ObjectStoreException extends TierException {
  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public ObjectStoreException(String message) {
    super(message);
  }
}
