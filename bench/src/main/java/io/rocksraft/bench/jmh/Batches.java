package io.rocksraft.bench.jmh;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.LogBatch;
import java.util.SplittableRandom;

/** The log entry the leader makes of coalesced puts: the unit of the write path's hot loops. */
public final class Batches {
  /** Writers taking turns: each numbers its own writes 1, 2, 3... and has all earlier ones answered. */
  private static final int CLIENTS = 128;

  private Batches() {}

  /**
   * {@code ops} puts of {@code valueSize}-byte values to 16-byte keys from 128 writers in turn,
   * each with its exactly-once id, as {@code Proposer} coalesces them; {@code first} numbers the
   * puts, so consecutive calls continue every writer's sequence.
   */
  public static LogBatch puts(int ops, int valueSize, long first) {
    return puts(ops, valueSize, first, CLIENTS);
  }

  /** The same from {@code clients} writers in turn (one: a single client's writes fill the entry). */
  public static LogBatch puts(int ops, int valueSize, long first, int clients) {
    SplittableRandom random = new SplittableRandom(first);
    byte[] value = new byte[valueSize];
    random.nextBytes(value);
    LogBatch.Builder batch = LogBatch.newBuilder().setClockMillis(1_700_000_000_000L + first);
    for (int i = 0; i < ops; i++) {
      long n = first + i;
      batch.addCommands(Command.newBuilder().setPut(PutRequest.newBuilder()
          .setKey(ByteString.copyFrom(key(n % 100_000)))
          .setValue(ByteString.copyFrom(value))
          .setId(WriteId.newBuilder().setClientId(ByteString.copyFromUtf8("client-" + (n % clients)))
              .setSequence(n / clients + 1).setFirstIncomplete(n / clients + 1))));
    }
    return batch.build();
  }

  /** A 16-byte key: "key" and the id in 13 digits, as the bench's key space spells them. */
  private static byte[] key(long id) {
    byte[] k = {'k', 'e', 'y', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
    for (int i = k.length - 1; id > 0; i--, id /= 10) {
      k[i] = (byte) ('0' + id % 10);
    }
    return k;
  }
}
