package io.rocksraft.server.state;

/** What the state machine has applied: the last entry's term and index, and the revision. */
public record AppliedState(long term, long index, long revision) {
  static final AppliedState EMPTY = new AppliedState(0, 0, 0);
}
