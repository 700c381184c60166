package io.rocksraft.server.state;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where snapshots go besides this node's disk, and where a follower fetches one from when the
 * leader does not send it (the object-storage tier). {@link #NONE} when the tier is off.
 */
public interface SnapshotTransfer {
  SnapshotTransfer NONE = new SnapshotTransfer() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void taken(SnapshotStore.Local snapshot) {
    }

    @Override
    public void leading() {
    }

    @Override
    public Path fetch(long minIndex, Path snapshotsRoot) throws IOException {
      throw new IOException("the object-storage tier is off: the leader sends snapshots itself");
    }
  };

  /** Whether snapshots travel through it (then Ratis does not send them from the leader). */
  boolean enabled();

  /** A snapshot was taken here. Called on the apply thread: it must not block. */
  void taken(SnapshotStore.Local snapshot);

  /** This node became the leader: its latest snapshot should be shipped if it is not yet. */
  void leading();

  /**
   * Brings a complete snapshot at index {@code minIndex} or later into {@code snapshotsRoot}, as a
   * directory named {@code TERM_INDEX} that {@link SnapshotStore} reads; blocks until it is there.
   */
  Path fetch(long minIndex, Path snapshotsRoot) throws IOException;
}
