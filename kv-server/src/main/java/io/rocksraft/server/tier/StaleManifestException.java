package io.rocksraft.server.tier;

import java.util.Objects;

/**
 * The bucket already has a manifest at or after the position a writer meant to publish, so the
 * writer's snapshot is not news (a deposed leader, a slow uploader, or a second writer of the
 * same position). Nothing was written; the bucket's newest manifest stands.
 */
public final class StaleManifestException extends TierException {
  private final SnapshotPosition attempted;
  private final SnapshotPosition newest;

  public StaleManifestException(SnapshotPosition attempted, SnapshotPosition newest) {
    super(message(attempted, newest));
    this.attempted = attempted;
    this.newest = newest;
  }

  private static String message(SnapshotPosition attempted, SnapshotPosition newest) {
    if (Objects.equals(attempted, newest)) {
      return "a different manifest for " + attempted + " is already in the bucket (another writer"
          + " published this position first)";
    }
    return "the bucket already has a newer manifest " + newest + " than " + attempted
        + "; refusing to publish a stale snapshot";
  }

  public SnapshotPosition attempted() {
    return attempted;
  }

  public SnapshotPosition newest() {
    return newest;
  }
}
