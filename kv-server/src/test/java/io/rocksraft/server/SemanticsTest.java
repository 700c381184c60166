package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.TxnResponse;
import io.rocksraft.client.KvClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What each operation does to keys, revisions and versions (one node). */
class SemanticsTest {
  private static TestCluster t;
  private static KvClient kv;

  @BeforeAll
  static void startCluster() throws Exception {
    t = TestCluster.start(1);
    kv = t.client();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void putTracksCreateRevisionModRevisionAndVersion() {
    long r1 = kv.put(b("sem/a"), b("1")).getHeader().getRevision();
    long r2 = kv.put(b("sem/a"), b("2")).getHeader().getRevision();

    KeyValue a = kv.get(b("sem/a")).getKv();
    assertThat(r2).isGreaterThan(r1);
    assertThat(a.getCreateRevision()).isEqualTo(r1);
    assertThat(a.getModRevision()).isEqualTo(r2);
    assertThat(a.getVersion()).isEqualTo(2);
    assertThat(a.getValue().toStringUtf8()).isEqualTo("2");
  }

  @Test
  void putCanReturnThePreviousValue() {
    kv.put(b("sem/prev"), b("old"));
    PutResponse r = kv.put(PutRequest.newBuilder().setKey(b("sem/prev")).setValue(b("new")).setPrevKv(true).build());
    assertThat(r.getPrevKv().getValue().toStringUtf8()).isEqualTo("old");
  }

  @Test
  void deleteRemovesTheKeyAndARecreatedKeyStartsAtVersionOne() {
    kv.put(b("sem/d"), b("1"));
    kv.put(b("sem/d"), b("2"));
    assertThat(kv.delete(b("sem/d")).getDeleted()).isEqualTo(1);
    assertThat(kv.get(b("sem/d")).getFound()).isFalse();
    assertThat(kv.delete(b("sem/d")).getDeleted()).isZero();

    long r = kv.put(b("sem/d"), b("3")).getHeader().getRevision();
    assertThat(kv.get(b("sem/d")).getKv().getVersion()).isEqualTo(1);
    assertThat(kv.get(b("sem/d")).getKv().getCreateRevision()).isEqualTo(r);
  }

  @Test
  void deletingAMissingKeyDoesNotMoveTheRevision() {
    long before = kv.put(b("sem/rev"), b("x")).getHeader().getRevision();
    long after = kv.delete(b("sem/never-existed")).getHeader().getRevision();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void deleteRangeRemovesEveryKeyWithThePrefixOnly() {
    for (int i = 0; i < 5; i++) {
      kv.put(b("sem/dr/" + i), b("v"));
    }
    kv.put(b("sem/dr0"), b("outside"));
    assertThat(kv.deleteRange(DeleteRangeRequest.newBuilder().setPrefix(b("sem/dr/")).build()).getDeleted()).isEqualTo(5);
    assertThat(kv.scanPrefix(b("sem/dr/"))).isEmpty();
    assertThat(kv.get(b("sem/dr0")).getFound()).isTrue();
  }

  @Test
  void rangePagesWithLimitAndContinuation() {
    for (int i = 0; i < 25; i++) {
      kv.put(b(String.format("sem/page/%02d", i)), b("v" + i));
    }
    RangeResponse first = kv.range(RangeRequest.newBuilder().setPrefix(b("sem/page/")).setLimit(10).build());
    assertThat(first.getKvsCount()).isEqualTo(10);
    assertThat(first.getMore()).isTrue();
    RangeResponse second = kv.range(RangeRequest.newBuilder().setPrefix(b("sem/page/")).setLimit(10)
        .setStart(first.getNextStart()).build());
    assertThat(second.getKvs(0).getKey().toStringUtf8()).isEqualTo("sem/page/10");
    assertThat(kv.scanPrefix(b("sem/page/"))).hasSize(25);
  }

  @Test
  void aKeyOfTheMaximumLengthPagesLikeAnyOther() {
    // limits.maxKeyBytes is 8 KiB by default; the continuation after such a key is one byte longer.
    ByteString longest = b("sem/max/" + "k".repeat(8 * 1024 - "sem/max/".length()));
    List<ByteString> keys = List.of(b("sem/max/a"), longest, b("sem/max/z"));
    keys.forEach(k -> kv.put(k, b("v")));
    List<ByteString> seen = new ArrayList<>();
    RangeRequest.Builder req = RangeRequest.newBuilder().setPrefix(b("sem/max/")).setLimit(1).setKeysOnly(true);
    for (RangeResponse page = kv.range(req.build()); ; page = kv.range(req.setStart(page.getNextStart()).build())) {
      page.getKvsList().forEach(x -> seen.add(x.getKey()));
      if (!page.getMore() || seen.size() > keys.size()) {
        break;
      }
    }
    assertThat(seen).containsExactlyElementsOf(keys);
  }

  @Test
  void rangeBetweenStartAndEndIsHalfOpenAndKeysOnlyOmitsValues() {
    for (String k : List.of("sem/r/a", "sem/r/b", "sem/r/c")) {
      kv.put(b(k), b("value"));
    }
    RangeResponse r = kv.range(RangeRequest.newBuilder().setStart(b("sem/r/a")).setEnd(b("sem/r/c"))
        .setKeysOnly(true).build());
    assertThat(r.getKvsList()).extracting(x -> x.getKey().toStringUtf8()).containsExactly("sem/r/a", "sem/r/b");
    assertThat(r.getKvs(0).getValue()).isEmpty();
  }

  @Test
  void prefixOfHighBytesIsScannedToTheEndOfTheKeySpace() {
    ByteString high = ByteString.copyFrom(new byte[] {(byte) 0xFF, (byte) 0xFF});
    kv.put(high.concat(b("x")), b("v"));
    assertThat(kv.range(RangeRequest.newBuilder().setPrefix(high).build()).getKvsCount()).isEqualTo(1);
  }

  @Test
  void txnRunsTheSuccessBranchWhenEveryCompareHolds() {
    long rev = kv.put(b("sem/t"), b("1")).getHeader().getRevision();
    TxnResponse r = kv.txn(TxnRequest.newBuilder()
        .addCompares(Compare.newBuilder().setKey(b("sem/t")).setTarget(Compare.Target.MOD_REVISION).setNumber(rev))
        .addCompares(Compare.newBuilder().setKey(b("sem/t")).setTarget(Compare.Target.VALUE).setValue(b("1")))
        .addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("sem/t")).setValue(b("2"))))
        .addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("sem/t2")).setValue(b("x"))))
        .addSuccess(TxnOp.newBuilder().setGet(GetRequest.newBuilder().setKey(b("sem/t"))))
        .addFailure(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("sem/t-failed")).setValue(b("x"))))
        .build());
    assertThat(r.getSucceeded()).isTrue();
    assertThat(r.getResults(2).getGet().getKv().getValue().toStringUtf8()).as("sees its own write").isEqualTo("2");
    // One revision for the whole transaction.
    assertThat(kv.get(b("sem/t")).getKv().getModRevision()).isEqualTo(kv.get(b("sem/t2")).getKv().getModRevision());
    assertThat(kv.get(b("sem/t-failed")).getFound()).isFalse();
  }

  @Test
  void txnRunsTheFailureBranchWhenACompareFails() {
    kv.put(b("sem/f"), b("1"));
    TxnResponse r = kv.txn(TxnRequest.newBuilder()
        .addCompares(Compare.newBuilder().setKey(b("sem/f")).setTarget(Compare.Target.VERSION)
            .setResult(Compare.Result.GREATER).setNumber(5))
        .addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("sem/f")).setValue(b("success"))))
        .addFailure(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("sem/f")).setValue(b("failure"))))
        .build());
    assertThat(r.getSucceeded()).isFalse();
    assertThat(kv.get(b("sem/f")).getKv().getValue().toStringUtf8()).isEqualTo("failure");
  }

  @Test
  void compareAndPutWithZeroCreatesOnlyWhenAbsent() {
    assertThat(kv.compareAndPut(b("sem/cas"), 0, b("first"))).isTrue();
    assertThat(kv.compareAndPut(b("sem/cas"), 0, b("second"))).isFalse();
    long rev = kv.get(b("sem/cas")).getKv().getModRevision();
    assertThat(kv.compareAndPut(b("sem/cas"), rev, b("third"))).isTrue();
    assertThat(kv.get(b("sem/cas")).getKv().getValue().toStringUtf8()).isEqualTo("third");
  }
}
