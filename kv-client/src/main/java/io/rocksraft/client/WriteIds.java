package io.rocksraft.client;

import io.rocksraft.api.v1.WriteId;
import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exactly-once identities: one random client id, a sequence per write, and the lowest
 * sequence still waiting for its answer (the server may forget every answer below it).
 * The client numbers its writes with one; a node numbers with one of its own the writes that
 * reach it without an id.
 */
public final class WriteIds {
  private final ByteString clientId;
  private final AtomicLong next = new AtomicLong(1);
  private final ConcurrentSkipListSet<Long> outstanding = new ConcurrentSkipListSet<>();

  public WriteIds() {
    byte[] id = new byte[16];
    new SecureRandom().nextBytes(id);
    clientId = ByteString.copyFrom(id);
  }

  /**
   * A new sequence, outstanding from now on. Atomic with the numbering: were a lower sequence
   * numbered but not yet outstanding, a higher one's id would name a watermark above it, the
   * server would drop its answer before it was even sent, and then refuse it as already
   * acknowledged.
   */
  public synchronized long begin() {
    long seq = next.getAndIncrement();
    outstanding.add(seq);
    return seq;
  }

  /** The id to send for {@code seq}: built afresh for every attempt, with the current watermark. */
  public WriteId id(long seq) {
    Long lowest = outstanding.isEmpty() ? seq : outstanding.first();
    return WriteId.newBuilder().setClientId(clientId).setSequence(seq)
        .setFirstIncomplete(Math.min(lowest, seq)).build();
  }

  public void end(long seq) {
    outstanding.remove(seq);
  }
}
