package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.raftlog.RocksMemory;
import io.rocksraft.server.internal.BatchResult;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.Failure;
import io.rocksraft.server.internal.LogBatch;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applier on a real RocksDB, entry by entry, with the proposer clock under the test's control. */
class ApplierTest {
  @TempDir Path dir;
  private final RocksMemory memory = new RocksMemory(8 << 20, 8 << 20);
  private StateStore store;
  private Applier applier;
  private long index;

  @BeforeEach
  void open() throws Exception {
    store = new StateStore(dir, memory);
    applier = new Applier(store, "n1", 1000, 100, 32L << 20);
  }

  @AfterEach
  void close() {
    store.close();
    memory.close();
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static Command put(String client, long seq, long firstIncomplete, String key, String value) {
    return Command.newBuilder().setPut(PutRequest.newBuilder().setKey(b(key)).setValue(b(value))
        .setId(WriteId.newBuilder().setClientId(b(client)).setSequence(seq).setFirstIncomplete(firstIncomplete)))
        .build();
  }

  private static Command delete(String client, long seq, long firstIncomplete, String key) {
    return Command.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(b(key))
        .setId(WriteId.newBuilder().setClientId(b(client)).setSequence(seq).setFirstIncomplete(firstIncomplete)))
        .build();
  }

  private BatchResult apply(long clockMillis, Command... commands) {
    LogBatch.Builder batch = LogBatch.newBuilder().setClockMillis(clockMillis);
    for (Command c : commands) {
      batch.addCommands(c);
    }
    return applier.apply(batch.build().toByteArray(), 1, ++index).result();
  }

  /** The key as stored, or null. */
  private StoredValue stored(String key) throws Exception {
    byte[] raw = store.db().get(store.kv(), key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return raw == null ? null : StoredValue.decode(raw);
  }

  private long version(String key) throws Exception {
    StoredValue v = stored(key);
    return v == null ? 0 : v.version();
  }

  @Test
  void aDuplicateInTheSameEntryOrALaterOneGetsTheFirstAnswer() throws Exception {
    BatchResult first = apply(1_000, put("c", 1, 1, "k", "v"), put("c", 1, 1, "k", "v"));
    BatchResult later = apply(2_000, put("c", 1, 1, "k", "v"));

    assertThat(first.getResults(1)).isEqualTo(first.getResults(0));
    assertThat(later.getResults(0)).isEqualTo(first.getResults(0));
    assertThat(version("k")).isEqualTo(1);
  }

  @Test
  void laterWritesOfAnEntrySeeWhatItsEarlierOnesWroteToKeysAndSessions() throws Exception {
    apply(1_000, put("c", 1, 1, "k", "a"));
    BatchResult r = apply(1_000,
        put("c", 2, 2, "k", "b"),
        put("c", 2, 2, "k", "b"),          // a retry in the same entry: the first answer
        put("c", 3, 3, "k", "c"),          // acknowledges 2: the watermark moves within the entry
        put("c", 2, 2, "k", "b"),          // so this retry is refused
        delete("c", 4, 4, "k"),
        put("c", 5, 5, "k", "d"));         // created anew after the delete

    assertThat(r.getResults(1)).isEqualTo(r.getResults(0));
    assertThat(r.getResults(0).getPut().getHeader().getRevision()).isEqualTo(2);
    assertThat(r.getResults(2).getPut().getHeader().getRevision()).isEqualTo(3);
    assertThat(r.getResults(3).getFailure().getCode()).isEqualTo(Failure.Code.SESSION_EXPIRED);
    assertThat(r.getResults(4).getDelete().getDeleted()).isEqualTo(1);
    StoredValue k = stored("k");
    assertThat(k.version()).isEqualTo(1);
    assertThat(k.createRevision()).isEqualTo(5).isEqualTo(k.modRevision());
    // The next entry reads what this one stored: the watermark (5) and the last answer.
    assertThat(apply(2_000, put("c", 4, 4, "k", "x")).getResults(0).getFailure().getCode())
        .isEqualTo(Failure.Code.SESSION_EXPIRED);
    assertThat(apply(2_000, put("c", 5, 5, "k", "d")).getResults(0)).isEqualTo(r.getResults(5));
  }

  @Test
  void answersBelowTheAcknowledgedWatermarkAreDroppedAndRefused() throws Exception {
    apply(1_000, put("c", 1, 1, "k", "a"));
    apply(1_000, put("c", 2, 2, "k", "b"));
    CommandResult again = apply(1_000, put("c", 1, 1, "k", "a")).getResults(0);

    assertThat(again.getFailure().getCode()).isEqualTo(Failure.Code.SESSION_EXPIRED);
    assertThat(version("k")).isEqualTo(2);
  }

  @Test
  void anIdleClientIsForgottenAfterTheTtlAndNotBefore() throws Exception {
    long t0 = 10 * 60_000;
    apply(t0, put("idle", 1, 1, "k", "v"));

    // Other traffic moves the proposer clock; just under the TTL the session still holds.
    apply(t0 + Sessions.TTL.toMillis() - 60_000, put("busy", 1, 1, "other", "x"));
    apply(t0 + Sessions.TTL.toMillis() - 60_000, put("idle", 1, 1, "k", "v"));
    assertThat(version("k")).as("still deduplicated").isEqualTo(1);

    // The idle client's last touch was at t0 (a duplicate does not refresh it); well past the TTL it is gone.
    apply(t0 + Sessions.TTL.toMillis() + Duration.ofMinutes(2).toMillis(), put("busy", 2, 2, "other", "y"));
    apply(t0 + Sessions.TTL.toMillis() + Duration.ofMinutes(2).toMillis(), put("idle", 1, 1, "k", "v"));
    assertThat(version("k")).as("forgotten: the retry ran again").isEqualTo(2);
  }

  @Test
  void reopeningKeepsTheAppliedIndexRevisionAndSessions() throws Exception {
    apply(1_000, put("c", 1, 1, "k", "v"));
    long revision = applier.applied().revision();
    store.close();
    store = new StateStore(dir, memory);
    applier = new Applier(store, "n1", 1000, 100, 32L << 20);

    assertThat(applier.applied().index()).isEqualTo(index);
    assertThat(applier.applied().revision()).isEqualTo(revision);
    apply(2_000, put("c", 1, 1, "k", "v"));
    assertThat(version("k")).isEqualTo(1);
  }

  @Test
  void outOfOrderWritesAndTheirRetriesGetTheirFirstAnswersAlsoAfterAReopen() throws Exception {
    // Sequences 5 and 3 arrive out of order (two writes in flight); 4 never arrived.
    BatchResult five = apply(1_000, put("c", 5, 3, "k5", "v"));
    BatchResult three = apply(1_000, put("c", 3, 3, "k3", "v"));
    assertThat(apply(1_000, put("c", 5, 3, "k5", "v")).getResults(0)).isEqualTo(five.getResults(0));
    assertThat(apply(1_000, put("c", 3, 3, "k3", "v")).getResults(0)).isEqualTo(three.getResults(0));
    store.close();
    store = new StateStore(dir, memory);
    applier = new Applier(store, "n1", 1000, 100, 32L << 20);
    // Cold: what the client has stored is read back, the highest (5) included.
    assertThat(apply(2_000, put("c", 5, 3, "k5", "v")).getResults(0)).isEqualTo(five.getResults(0));
    assertThat(apply(2_000, put("c", 3, 3, "k3", "v")).getResults(0)).isEqualTo(three.getResults(0));
    apply(2_000, put("c", 4, 3, "k4", "v"));
    apply(2_000, put("c", 6, 6, "k6", "v"));
    assertThat(apply(2_000, put("c", 4, 4, "k4", "v")).getResults(0).getFailure().getCode())
        .as("acknowledged by the client's watermark").isEqualTo(Failure.Code.SESSION_EXPIRED);
    assertThat(version("k3")).isEqualTo(1);
    assertThat(version("k4")).isEqualTo(1);
    assertThat(version("k5")).isEqualTo(1);
  }

  @Test
  void anEntryThatIsNotALogBatchIsSkippedAndStillCountsAsApplied() {
    BatchResult r = applier.apply(new byte[] {(byte) 0xFF, 0x01}, 1, ++index).result();
    assertThat(r.getResultsCount()).isZero();
    assertThat(applier.applied().index()).isEqualTo(index);
  }
}
