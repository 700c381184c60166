package io.rocksraft.server.state;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

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
    public Optional<Path> fetch(long minIndex, boolean awaitUpload, Path snapshotsRoot) {
      return Optional.empty(); // the tier is off: the leader sends snapshots itself
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
   * directory named {@code TERM_INDEX} that {@link SnapshotStore} reads. Gives up after a bounded
   * wait: empty when the bucket does not answer, has no such snapshot, or serves a bad one. With
   * {@code awaitUpload} it keeps looking for one to appear until then (the leader uploads a
   * snapshot moments after it purges the log below it); without, one answer decides.
   */
  Optional<Path> fetch(long minIndex, boolean awaitUpload, Path snapshotsRoot) throws IOException;
}
