package io.rocksraft.jepsen.workload;

import io.rocksraft.client.KvClientException;
import io.rocksraft.jepsen.history.Op;

/** What a client failure says about an operation: certainly not done ({@code fail}) or unknown ({@code info}). */
final class Outcomes {
  private Outcomes() {}

  /**
   * A write refused before it could take effect (bad input, overload at the door) failed; one that
   * timed out or lost its connection may have committed. A read that failed had no effect.
   */
  static Op.Type of(RuntimeException e, boolean write) {
    if (!write) {
      return Op.Type.fail;
    }
    if (e instanceof KvClientException.InvalidArgument || e instanceof KvClientException.FailedPrecondition) {
      return Op.Type.fail;
    }
    return Op.Type.info;
  }
}
