package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.raftlog.RocksMemory;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.LogBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksIterator;

/**
 * No poison entries: over a million keys, in a JVM with a 64 MiB heap, a range delete of the
 * whole key space and a transaction whose answer would be hundreds of MiB are applied without
 * exhausting the heap, and two replicas holding the same state answer them alike, also after a
 * restart. Each replica is a state store and an applier, as in a node; the million keys are
 * loaded through the applier in large entries.
 */
class PoisonEntryTest {
  private static final int KEYS = 1_000_000;
  private static final int KEYS_PER_ENTRY = 5_000;

  @TempDir Path dir;

  @Test
  void overAMillionKeysInASmallHeapAWholeKeySpaceDeleteAndAHugeTxnAnswerAlikeOnTwoReplicasAndAfterARestart()
      throws Exception {
    List<String> lines = probe();

    assertThat(lines).as("what the probe printed").noneMatch(l -> l.contains("OutOfMemoryError"));
    List<String> a = lines.stream().filter(l -> l.startsWith("a ")).map(l -> l.substring(2)).toList();
    List<String> b = lines.stream().filter(l -> l.startsWith("b ")).map(l -> l.substring(2)).toList();
    assertThat(a).as("replica a").hasSize(5);
    assertThat(b).as("replica b, from the same state, answers exactly as a").isEqualTo(a);
    assertThat(a.get(0)).as("the whole key space in one delete")
        .startsWith("deleteRange: failure TOO_LARGE").contains("limits.maxWriteKeys");
    assertThat(a.get(1)).as("a txn whose ranges answer with every key, 128 times")
        .startsWith("txn: failure TOO_LARGE").contains("limits.maxResultBytes");
    assertThat(a.get(2)).as("after a restart: both entries applied, nothing deleted")
        .isEqualTo("restarted: applied index " + (KEYS / KEYS_PER_ENTRY + 2) + ", " + KEYS + " keys");
    assertThat(a.get(3)).as("the delete retried after the restart gets its first answer")
        .isEqualTo("deleteRange again: " + a.get(0).substring("deleteRange: ".length()));
    assertThat(a.get(4)).as("the store still takes writes").isEqualTo("put: ok");
  }

  /** Runs {@link Probe} in a JVM with a 64 MiB heap and answers what it printed, line by line. */
  private List<String> probe() throws IOException, InterruptedException {
    Path out = dir.resolve("probe.out");
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), Probe.class.getName(), dir.resolve("replicas").toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("the probe finished").isTrue();
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as("the probe's exit code; it printed %s", lines).isZero();
      return lines;
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Loads a million keys into replica {@code a}, copies it to {@code b} (a checkpoint), then on each
   * replica applies the two entries, restarts, and retries; prints one line per step, prefixed
   * with the replica. An {@link OutOfMemoryError} is printed, not thrown, so the output says where.
   */
  public static final class Probe {
    private static final WriteId DELETE_ID = id(1);
    private static final WriteId TXN_ID = id(2);
    private static final WriteId PUT_ID = id(3);

    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      try (RocksMemory memory = new RocksMemory(8 << 20, 8 << 20)) {
        long index = load(root.resolve("a"), memory);
        for (String replica : List.of("a", "b")) {
          for (String line : replica(root.resolve(replica), memory, index)) {
            System.out.println(replica + " " + line);
          }
        }
      }
    }

    private static long load(Path a, RocksMemory memory) throws Exception {
      long index = 0;
      try (StateStore store = new StateStore(a, memory); Applier applier = applier(store)) {
        byte[] value = new byte[100];
        for (int first = 0; first < KEYS; first += KEYS_PER_ENTRY) {
          LogBatch.Builder batch = LogBatch.newBuilder().setClockMillis(1_000);
          for (int k = first; k < first + KEYS_PER_ENTRY; k++) {
            batch.addCommands(Command.newBuilder().setPut(PutRequest.newBuilder().setKey(key(k))
                .setValue(ByteString.copyFrom(value))));
          }
          applier.apply(batch.build().toByteArray(), 1, ++index);
        }
        try (Checkpoint checkpoint = Checkpoint.create(store.db())) {
          checkpoint.createCheckpoint(a.resolveSibling("b").toString());
        }
      }
      return index;
    }

    private static List<String> replica(Path path, RocksMemory memory, long loaded) throws Exception {
      List<String> lines = new ArrayList<>();
      Command deleteAll = Command.newBuilder()
          .setDeleteRange(DeleteRangeRequest.newBuilder().setId(DELETE_ID)).build();
      TxnRequest.Builder txn = TxnRequest.newBuilder().setId(TXN_ID);
      for (int i = 0; i < 128; i++) {
        txn.addSuccess(TxnOp.newBuilder().setRange(RangeRequest.getDefaultInstance()));
      }
      try (StateStore store = new StateStore(path, memory); Applier applier = applier(store)) {
        lines.add("deleteRange: " + apply(applier, loaded + 1, deleteAll));
        lines.add("txn: " + apply(applier, loaded + 2, Command.newBuilder().setTxn(txn).build()));
      }
      try (StateStore store = new StateStore(path, memory); Applier applier = applier(store)) {
        lines.add("restarted: applied index " + applier.applied().index() + ", " + count(store) + " keys");
        lines.add("deleteRange again: " + apply(applier, loaded + 3, deleteAll));
        lines.add("put: " + apply(applier, loaded + 4, Command.newBuilder().setPut(PutRequest.newBuilder()
            .setKey(key(KEYS)).setValue(ByteString.copyFromUtf8("v")).setId(PUT_ID)).build()));
      }
      return lines;
    }

    private static Applier applier(StateStore store) {
      return new Applier(store, "n1", 10_000, 1_000, 1 << 20);
    }

    private static String apply(Applier applier, long index, Command command) {
      try {
        byte[] payload = LogBatch.newBuilder().setClockMillis(2_000).addCommands(command).build().toByteArray();
        return describe(applier.apply(payload, 1, index).result().getResults(0));
      } catch (OutOfMemoryError e) {
        return "OutOfMemoryError: " + e.getMessage();
      }
    }

    private static String describe(CommandResult r) {
      return switch (r.getResultCase()) {
        case FAILURE -> "failure " + r.getFailure().getCode() + ": " + r.getFailure().getMessage();
        case DELETE_RANGE -> "deleted " + r.getDeleteRange().getDeleted();
        case TXN -> "txn with " + r.getTxn().getResultsCount() + " results, " + r.getSerializedSize() + " bytes";
        case PUT -> "ok";
        default -> r.getResultCase().toString();
      };
    }

    private static long count(StateStore store) {
      long n = 0;
      try (RocksIterator it = store.db().newIterator(store.kv())) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          n++;
        }
      }
      return n;
    }

    private static ByteString key(int k) {
      return ByteString.copyFromUtf8(String.format("key/%036d", k));
    }

    private static WriteId id(long sequence) {
      return WriteId.newBuilder().setClientId(ByteString.copyFromUtf8("probe")).setSequence(sequence)
          .setFirstIncomplete(1).build();
    }
  }
}
