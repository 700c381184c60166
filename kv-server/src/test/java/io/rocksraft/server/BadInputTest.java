package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.ReadOptions;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.WriteId;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every bad input gets INVALID_ARGUMENT with a message naming the problem, and the store stays empty. */
class BadInputTest {
  private static TestCluster t;
  private static KVGrpc.KVBlockingStub kv;

  @BeforeAll
  static void startCluster() throws Exception {
    t = TestCluster.start(1);
    kv = t.rawStub("n1");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      // Nothing of any bad request reached the store.
      try {
        var all = kv.range(RangeRequest.getDefaultInstance());
        assertThat(all.getKvsList()).isEmpty();
        assertThat(all.getHeader().getRevision()).isZero();
      } finally {
        t.close();
      }
    }
  }

  private static ByteString bytes(int n) {
    return ByteString.copyFrom(new byte[n]);
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static void assertInvalid(ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains(message);
    });
  }

  @Test
  void emptyKeyIsRejected() {
    assertInvalid(() -> kv.put(PutRequest.newBuilder().setValue(b("v")).build()), "key is empty");
    assertInvalid(() -> kv.get(GetRequest.getDefaultInstance()), "key is empty");
  }

  @Test
  void keyOverTheDefaultLimitOf8KiBIsRejected() {
    assertInvalid(() -> kv.put(PutRequest.newBuilder().setKey(bytes(8 * 1024 + 1)).setValue(b("v")).build()),
        "key is 8193 bytes; the limit is 8192");
  }

  @Test
  void keyAtTheLimitIsAcceptedByTheValidatorButFailsNothingElse() {
    // The limit is inclusive; this request is only read, so the store stays empty.
    assertThat(kv.get(GetRequest.newBuilder().setKey(bytes(8 * 1024)).build()).getFound()).isFalse();
  }

  @Test
  void valueOverTheDefaultLimitOf1MiBIsRejected() {
    assertInvalid(() -> kv.put(PutRequest.newBuilder().setKey(b("k")).setValue(bytes(1024 * 1024 + 1)).build()),
        "value is 1048577 bytes; the limit is 1048576");
  }

  @Test
  void txnOverTheDefaultLimitOf128OperationsIsRejected() {
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    for (int i = 0; i < 129; i++) {
      txn.addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("k" + i)).setValue(b("v"))));
    }
    assertInvalid(() -> kv.txn(txn.build()), "the limit is 128");
  }

  @Test
  void txnOperationWithAnEmptyKeyIsRejectedWithItsPosition() {
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("ok")).setValue(b("v"))))
        .addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setValue(b("v"))))
        .build();
    assertInvalid(() -> kv.txn(txn), "txn success[1]: key is empty");
  }

  @Test
  void valueCompareWithoutAValueIsRejected() {
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompares(Compare.newBuilder().setKey(b("k")).setTarget(Compare.Target.VALUE).setNumber(3))
        .build();
    assertInvalid(() -> kv.txn(txn), "a VALUE compare needs a value operand");
  }

  @Test
  void emptyTxnOperationIsRejected() {
    TxnRequest txn = TxnRequest.newBuilder().addFailure(TxnOp.getDefaultInstance()).build();
    assertInvalid(() -> kv.txn(txn), "txn failure[0]: operation is empty");
  }

  @Test
  void aRangeBoundMayBeAKeyOfTheLimitAndAZeroByteButNoLonger() {
    // The continuation after a key of the maximum length; only read, so the store stays empty.
    assertThat(kv.range(RangeRequest.newBuilder().setStart(bytes(8 * 1024 + 1)).build()).getKvsList()).isEmpty();
    assertInvalid(() -> kv.range(RangeRequest.newBuilder().setStart(bytes(8 * 1024 + 2)).build()),
        "range bound is longer than 8193 bytes");
    assertInvalid(() -> kv.range(RangeRequest.newBuilder().setPrefix(bytes(8 * 1024 + 1)).build()),
        "prefix is longer than 8192 bytes");
  }

  @Test
  void rangeWithBothPrefixAndEndIsRejected() {
    assertInvalid(() -> kv.range(RangeRequest.newBuilder().setPrefix(b("a")).setEnd(b("b")).build()),
        "either prefix or end");
  }

  @Test
  void rangeWithStartNotBelowEndIsRejected() {
    assertInvalid(() -> kv.range(RangeRequest.newBuilder().setStart(b("b")).setEnd(b("a")).build()),
        "start must be below end");
    assertInvalid(() -> kv.deleteRange(DeleteRangeRequest.newBuilder().setStart(b("b")).setEnd(b("b")).build()),
        "start must be below end");
  }

  @Test
  void unknownConsistencyIsRejected() {
    assertInvalid(() -> kv.get(GetRequest.newBuilder().setKey(b("k"))
        .setRead(ReadOptions.newBuilder().setConsistencyValue(7)).build()), "unknown consistency 7");
  }

  @Test
  void writeIdWithoutClientOrWithZeroSequenceIsRejected() {
    assertInvalid(() -> kv.put(PutRequest.newBuilder().setKey(b("k")).setValue(b("v"))
        .setId(WriteId.newBuilder().setSequence(3)).build()), "sequence given without client_id");
    assertInvalid(() -> kv.put(PutRequest.newBuilder().setKey(b("k")).setValue(b("v"))
        .setId(WriteId.newBuilder().setRequestHash(b("h"))).build()), "request_hash given without client_id");
    assertInvalid(() -> kv.put(PutRequest.newBuilder().setKey(b("k")).setValue(b("v"))
        .setId(WriteId.newBuilder().setClientId(b("c"))).build()), "sequence must be at least 1");
    assertInvalid(() -> kv.put(PutRequest.newBuilder().setKey(b("k")).setValue(b("v"))
        .setId(WriteId.newBuilder().setClientId(b("c")).setSequence(2).setFirstIncomplete(5)).build()),
        "first_incomplete 5 is above sequence 2");
  }

  @Test
  void malformedProtobufIsRefusedAndTheNodeKeepsServing() {
    var channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
        .forTarget(t.cluster.node("n1").clientAddress()).usePlaintext().build();
    try {
      var method = KVGrpc.getPutMethod().toBuilder(
          new RawMarshaller(), KVGrpc.getPutMethod().getResponseMarshaller()).build();
      byte[][] hostile = {
          {0x0A, 0x05, 0x01},                                                // field claims 5 bytes, has 1
          {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},  // length of 4 GiB
          {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF},                           // not a field tag at all
      };
      for (byte[] request : hostile) {
        assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, method,
            io.grpc.CallOptions.DEFAULT, request))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                assertThat(e.getStatus().getCode()).isIn(Status.Code.INTERNAL, Status.Code.UNKNOWN));
      }
    } finally {
      channel.shutdownNow();
    }
    // Still serving: a valid read works (and the store stays empty, checked after all tests).
    assertThat(kv.get(GetRequest.newBuilder().setKey(b("probe")).build()).getFound()).isFalse();
  }

  /** Sends raw bytes as the request. */
  private static final class RawMarshaller implements io.grpc.MethodDescriptor.Marshaller<byte[]> {
    @Override
    public java.io.InputStream stream(byte[] value) {
      return new java.io.ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(java.io.InputStream stream) {
      throw new UnsupportedOperationException();
    }
  }
}
