package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.raftlog.RocksMemory;
import io.rocksraft.server.internal.BatchResult;
import io.rocksraft.server.internal.Bounds;
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
import org.rocksdb.RocksIterator;

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
    return apply(Bounds.getDefaultInstance(), clockMillis, commands);
  }

  private BatchResult apply(Bounds bounds, long clockMillis, Command... commands) {
    LogBatch.Builder batch = LogBatch.newBuilder().setClockMillis(clockMillis).setBounds(bounds);
    for (Command c : commands) {
      batch.addCommands(c);
    }
    return applier.apply(batch.build().toByteArray(), 1, ++index).result();
  }

  private static Bounds maxWriteKeys(int keys) {
    return Bounds.newBuilder().setMaxWriteKeys(keys).build();
  }

  private static Command deleteRange(String client, long seq, String prefix) {
    return Command.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder().setPrefix(b(prefix))
        .setId(WriteId.newBuilder().setClientId(b(client)).setSequence(seq).setFirstIncomplete(1))).build();
  }

  private static Command txn(String client, long seq, TxnOp.Builder... ops) {
    TxnRequest.Builder txn = TxnRequest.newBuilder()
        .setId(WriteId.newBuilder().setClientId(b(client)).setSequence(seq).setFirstIncomplete(1));
    for (TxnOp.Builder op : ops) {
      txn.addSuccess(op);
    }
    return Command.newBuilder().setTxn(txn).build();
  }

  /** {@code n} keys {@code prefix0}, {@code prefix1}..., each with a 100-byte value, in one entry. */
  private void load(String prefix, int n) {
    Command[] puts = new Command[n];
    for (int i = 0; i < n; i++) {
      puts[i] = Command.newBuilder().setPut(PutRequest.newBuilder().setKey(b(prefix + i)).setValue(b("v".repeat(100))))
          .build();
    }
    apply(1_000, puts);
  }

  private long historyEvents() {
    long n = 0;
    try (RocksIterator it = store.db().newIterator(store.history())) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n++;
      }
    }
    return n;
  }

  private static Failure.Code code(CommandResult r) {
    return r.hasFailure() ? r.getFailure().getCode() : null;
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
  void aRangeDeleteOfMoreKeysThanAWriteMayChangeIsRefusedWithNothingDoneAndTheEntryGoesOn() throws Exception {
    load("p/", 30);
    long revision = applier.applied().revision();
    long events = historyEvents();

    BatchResult r = apply(maxWriteKeys(20), 2_000, deleteRange("c", 1, "p/"), put("c", 2, 1, "k", "v"));

    assertThat(code(r.getResults(0))).isEqualTo(Failure.Code.TOO_LARGE);
    assertThat(r.getResults(0).getFailure().getMessage()).contains("more than 20 keys", "limits.maxWriteKeys");
    assertThat(r.getResults(1).hasPut()).as("the write after it, alone in what is left").isTrue();
    assertThat(version("p/0")).isEqualTo(1);
    assertThat(version("p/29")).isEqualTo(1);
    assertThat(applier.applied().revision()).as("only the put took a revision").isEqualTo(revision + 1);
    assertThat(historyEvents()).as("only the put's event").isEqualTo(events + 1);
    assertThat(apply(maxWriteKeys(20), 3_000, deleteRange("c", 1, "p/")).getResults(0))
        .as("a retry: the stored refusal").isEqualTo(r.getResults(0));
  }

  @Test
  void writesThatDoNotFitWhatTheEarlierWritesOfTheirEntryLeftAreDeferredUnrecordedAndRunInTheNext()
      throws Exception {
    load("a/", 15);
    load("b/", 10);

    BatchResult r = apply(maxWriteKeys(20), 2_000,
        deleteRange("c", 1, "a/"), deleteRange("c", 2, "b/"), put("c", 3, 1, "x", "1"));

    assertThat(r.getResults(0).getDeleteRange().getDeleted()).isEqualTo(15);
    assertThat(code(r.getResults(1))).isEqualTo(Failure.Code.DEFERRED);
    assertThat(code(r.getResults(2))).as("after a deferred write, in its order").isEqualTo(Failure.Code.DEFERRED);
    assertThat(version("b/0")).isEqualTo(1);
    assertThat(version("x")).isZero();

    BatchResult next = apply(maxWriteKeys(20), 3_000, deleteRange("c", 2, "b/"), put("c", 3, 1, "x", "1"));
    assertThat(next.getResults(0).getDeleteRange().getDeleted()).as("run, not answered from a session").isEqualTo(10);
    assertThat(next.getResults(1).hasPut()).isTrue();
    assertThat(version("b/0")).isZero();
    assertThat(version("x")).isEqualTo(1);
  }

  @Test
  void aTxnPastTheBoundIsUndoneWholeItsEarlierPutsIncluded() throws Exception {
    load("p/", 30);
    apply(1_000, put("c", 1, 1, "k", "a"));
    long revision = applier.applied().revision();

    BatchResult r = apply(maxWriteKeys(20), 2_000, txn("c", 2,
        TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("k")).setValue(b("b"))),
        TxnOp.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder().setPrefix(b("p/")))));

    assertThat(code(r.getResults(0))).isEqualTo(Failure.Code.TOO_LARGE);
    assertThat(stored("k").value()).isEqualTo("a".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(applier.applied().revision()).isEqualTo(revision);
    // The key versions learnt from the undone put are gone: the next put is the key's second version.
    apply(3_000, put("c", 3, 1, "k", "c"));
    assertThat(version("k")).isEqualTo(2);
  }

  @Test
  void aTxnWhoseAnswerWouldPassTheBoundIsRefusedAndOneWithinItIsAnswered() throws Exception {
    load("p/", 100);
    Bounds fourKiB = Bounds.newBuilder().setMaxResultBytes(4096).build();
    TxnOp.Builder everything = TxnOp.newBuilder().setRange(RangeRequest.newBuilder().setPrefix(b("p/")));
    TxnOp.Builder ten = TxnOp.newBuilder().setRange(RangeRequest.newBuilder().setPrefix(b("p/")).setLimit(10));

    CommandResult refused = apply(fourKiB, 2_000, txn("c", 1, everything)).getResults(0);
    CommandResult answered = apply(fourKiB, 2_000, txn("c", 2, ten)).getResults(0);

    assertThat(code(refused)).isEqualTo(Failure.Code.TOO_LARGE);
    assertThat(refused.getFailure().getMessage()).contains("4096 bytes", "limits.maxResultBytes");
    assertThat(answered.getTxn().getResults(0).getRange().getKvsCount()).isEqualTo(10);
    assertThat(answered.getSerializedSize()).isLessThanOrEqualTo(4096);
  }

  @Test
  void answersOfOneEntryTogetherStayWithinTheBoundTheRestGoIntoTheNext() throws Exception {
    apply(1_000, put("c", 1, 1, "big", "v".repeat(1500)));
    Bounds fourKiB = Bounds.newBuilder().setMaxResultBytes(4096).build();
    Command[] gets = new Command[4];
    for (int i = 0; i < gets.length; i++) {
      gets[i] = txn("c", 2 + i, TxnOp.newBuilder().setGet(GetRequest.newBuilder().setKey(b("big"))));
    }

    BatchResult r = apply(fourKiB, 2_000, gets);

    assertThat(r.getResultsList()).extracting(ApplierTest::code)
        .containsExactly(null, null, Failure.Code.DEFERRED, Failure.Code.DEFERRED);
    assertThat(r.getSerializedSize()).as("two answers and two short deferrals").isLessThanOrEqualTo(4096 + 2 * 200);
  }

  @Test
  void theBoundsComeFromTheEntryNotFromTheNodeThatAppliesIt(@TempDir Path otherDir) throws Exception {
    LogBatch.Builder load = LogBatch.newBuilder().setClockMillis(1_000);
    for (int i = 0; i < 30; i++) {
      load.addCommands(Command.newBuilder().setPut(PutRequest.newBuilder().setKey(b("p/" + i)).setValue(b("v"))));
    }
    TxnOp.Builder all = TxnOp.newBuilder().setRange(RangeRequest.newBuilder().setPrefix(b("p/")).setKeysOnly(true));
    byte[] txn = LogBatch.newBuilder().setClockMillis(2_000)
        .setBounds(Bounds.newBuilder().setMaxRangeLimit(7)).addCommands(txn("c", 1, all)).build().toByteArray();

    CommandResult here;
    CommandResult there;
    try (StateStore otherStore = new StateStore(otherDir, memory);
         Applier otherNode = new Applier(otherStore, "n1", 3, 100, 32L << 20)) {
      applier.apply(load.build().toByteArray(), 1, 1);
      otherNode.apply(load.build().toByteArray(), 1, 1);
      here = applier.apply(txn, 1, 2).result().getResults(0);
      there = otherNode.apply(txn, 1, 2).result().getResults(0);
    }

    assertThat(here.getTxn().getResults(0).getRange().getKvsCount()).isEqualTo(7);
    assertThat(there).as("a node configured with maxRangeLimit 3").isEqualTo(here);
  }

  @Test
  void anEntryThatIsNotALogBatchIsSkippedAndStillCountsAsApplied() {
    BatchResult r = applier.apply(new byte[] {(byte) 0xFF, 0x01}, 1, ++index).result();
    assertThat(r.getResultsCount()).isZero();
    assertThat(applier.applied().index()).isEqualTo(index);
  }
}
