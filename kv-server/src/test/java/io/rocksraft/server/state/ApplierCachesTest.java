package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.raftlog.RocksMemory;
import io.rocksraft.server.internal.BatchResult;
import io.rocksraft.server.internal.Bounds;
import io.rocksraft.server.internal.Failure;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.LogBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * The applier's caches (key versions, client sessions) change no answer and no stored byte:
 * the same random entries applied to a store without caches, to one whose caches are so small
 * that they evict all the time, and to one with the default bounds give equal results and
 * equal databases, also across a reopen (cold caches) halfway. Some entries carry bounds so
 * tight that writes are undone and refused or deferred, which empties the key cache.
 */
class ApplierCachesTest {
  /** Without caches (the reference), caches so small that they evict all the time, the defaults. */
  private static final long[] KEY_CACHE_BYTES = {0, 3 * (KeyVersions.ENTRY_OVERHEAD + 8), 32L << 20};
  private static final int[] CLIENTS_KEPT = {0, 1, Sessions.CLIENTS_KEPT};

  @TempDir Path dir;
  private final RocksMemory memory = new RocksMemory(8 << 20, 8 << 20);
  private final List<StateStore> stores = new ArrayList<>();
  private final List<Applier> appliers = new ArrayList<>();
  private final Random random = new Random(20261202);
  private final Map<String, Long> sequences = new LinkedHashMap<>();
  private long index;
  private final Set<Failure.Code> failures = EnumSet.noneOf(Failure.Code.class);

  @AfterEach
  void close() {
    appliers.forEach(Applier::close);
    stores.forEach(StateStore::close);
    memory.close();
  }

  @Test
  void everyCacheSizeGivesTheSameAnswersAndTheSameDatabase() throws Exception {
    openAll();
    for (int entry = 0; entry < 400; entry++) {
      if (entry == 200) {
        reopenAll();
      }
      LogBatch.Builder batch = LogBatch.newBuilder().setClockMillis(1_000L * entry).setBounds(randomBounds());
      int commands = 1 + random.nextInt(12);
      for (int i = 0; i < commands; i++) {
        batch.addCommands(randomCommand());
      }
      byte[] payload = batch.build().toByteArray();
      index++;
      BatchResult expected = appliers.get(0).apply(payload, 1, index).result();
      expected.getResultsList().stream().filter(r -> r.hasFailure()).forEach(r -> failures.add(r.getFailure().getCode()));
      for (int s = 1; s < appliers.size(); s++) {
        assertThat(appliers.get(s).apply(payload, 1, index).result())
            .as("entry %d with a key cache of %d bytes and %d clients kept", index, KEY_CACHE_BYTES[s], CLIENTS_KEPT[s])
            .isEqualTo(expected);
      }
    }
    Map<String, String> first = contents(stores.get(0));
    assertThat(first).as("the run wrote something").isNotEmpty();
    assertThat(failures).as("writes were undone").contains(Failure.Code.TOO_LARGE, Failure.Code.DEFERRED);
    for (int s = 1; s < stores.size(); s++) {
      assertThat(contents(stores.get(s))).isEqualTo(first);
    }
  }

  private void openAll() throws Exception {
    for (int s = 0; s < KEY_CACHE_BYTES.length; s++) {
      StateStore store = new StateStore(dir.resolve("s" + s), memory);
      stores.add(store);
      appliers.add(new Applier(store, "n1", 1000, 50, KEY_CACHE_BYTES[s], CLIENTS_KEPT[s]));
    }
  }

  private void reopenAll() throws Exception {
    appliers.forEach(Applier::close);
    stores.forEach(StateStore::close);
    appliers.clear();
    stores.clear();
    openAll();
  }

  /** Mostly the defaults; now and then bounds so tight that some writes do not fit. */
  private Bounds randomBounds() {
    return random.nextInt(4) > 0 ? Bounds.getDefaultInstance() : Bounds.newBuilder()
        .setMaxWriteKeys(1 + random.nextInt(4)).setMaxResultBytes(100 + random.nextInt(300)).build();
  }

  /** Puts, deletes, range deletes and transactions over few keys and clients, with retries and acknowledgements. */
  private Command randomCommand() {
    String client = "c" + random.nextInt(3);
    long last = sequences.getOrDefault(client, 0L);
    // Mostly a new sequence; sometimes a retry of a recent one, or a jump past a lost one.
    long seq = random.nextInt(10) == 0 && last > 2 ? last - random.nextInt(3) : last + 1 + random.nextInt(2);
    sequences.put(client, Math.max(last, seq));
    long firstIncomplete = Math.max(1, seq - random.nextInt(4));
    WriteId id = WriteId.newBuilder().setClientId(b(client)).setSequence(seq).setFirstIncomplete(firstIncomplete)
        .build();
    return switch (random.nextInt(10)) {
      case 0, 1, 2, 3 -> Command.newBuilder().setPut(put(random.nextBoolean()).setId(id)).build();
      case 4, 5 -> Command.newBuilder().setDelete(delete().setId(id)).build();
      case 6 -> Command.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder()
          .setPrefix(b("k" + random.nextInt(2))).setId(id)).build();
      default -> Command.newBuilder().setTxn(TxnRequest.newBuilder().setId(id)
          .addCompares(Compare.newBuilder().setKey(key()).setTarget(Compare.Target.VERSION)
              .setResult(Compare.Result.GREATER).setNumber(random.nextInt(3)))
          .addSuccess(TxnOp.newBuilder().setPut(put(false)))
          .addSuccess(TxnOp.newBuilder().setDelete(delete()))
          .addFailure(TxnOp.newBuilder().setPut(put(true)))).build();
    };
  }

  private PutRequest.Builder put(boolean prevKv) {
    return PutRequest.newBuilder().setKey(key()).setValue(b("v" + random.nextInt(1000))).setPrevKv(prevKv);
  }

  private DeleteRequest.Builder delete() {
    return DeleteRequest.newBuilder().setKey(key()).setPrevKv(random.nextBoolean());
  }

  private ByteString key() {
    return b("k" + random.nextInt(12));
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** Every column family's keys and values, hex-encoded. */
  private static Map<String, String> contents(StateStore store) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, ColumnFamilyHandle> families =
        Map.of("kv", store.kv(), "meta", store.meta(), "history", store.history());
    for (Map.Entry<String, ColumnFamilyHandle> cf : families.entrySet()) {
      try (RocksIterator it = store.db().newIterator(cf.getValue())) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          out.put(cf.getKey() + ":" + hex(it.key()), hex(it.value()));
        }
      }
    }
    return out;
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
