package io.rocksraft.server.tier;

/** The object asked for is not in the store. */
public final class NoSuchObjectException extends ObjectStoreException {
  private final String key;

  public NoSuchObjectException(String key, String where) {
    super("no object '" + key + "' in " + where);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
