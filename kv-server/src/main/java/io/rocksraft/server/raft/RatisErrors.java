package io.rocksraft.server.raft;

import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/** Ratis failures as the kinds our APIs answer. */
final class RatisErrors {
  private RatisErrors() {}

  static KvException toKv(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof KvException k) {
      return k;
    }
    if (c instanceof StateMachineException && c.getCause() instanceof KvException k) {
      return k;
    }
    if (c instanceof ResourceUnavailableException) {
      return new KvException(ErrorKind.RESOURCE_EXHAUSTED, "the leader has too many pending writes; retry later", c);
    }
    // Not leader, leader not ready, read index failed, retries exhausted, closed, timed out:
    // all mean the group cannot answer now.
    return new KvException(ErrorKind.UNAVAILABLE, "Raft group unavailable (no quorum or no leader): "
        + c.getClass().getSimpleName() + ": " + c.getMessage(), c);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
