package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import org.junit.jupiter.api.Test;

/** A write past limits.maxWriteKeys, as gRPC and REST clients see it: refused whole, with what to do instead. */
class WriteBoundsTest {

  @Test
  void aRangeDeleteOfMoreKeysIsInvalidArgumentOverGrpcAndAProblem422OverRestAndDeletesNothing() throws Exception {
    try (TestCluster t = TestCluster.start(1, "limits: {maxTxnOps: 16, maxWriteKeys: 16}")) {
      KVGrpc.KVBlockingStub kv = t.rawStub("n1");
      for (int i = 0; i < 20; i++) {
        kv.put(PutRequest.newBuilder().setKey(utf8(String.format("k/%02d", i))).setValue(utf8("v")).build());
      }
      RangeRequest keys = RangeRequest.newBuilder().setPrefix(utf8("k/")).build();
      DeleteRangeRequest all = DeleteRangeRequest.newBuilder().setPrefix(utf8("k/")).build();

      assertThatThrownBy(() -> kv.deleteRange(all)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("more than 16 keys", "limits.maxWriteKeys",
            "delete in smaller ranges");
      });
      Rest.Answer rest = Rest.send(t.cluster.node("n1").restAddress(), "POST", "/v1/txn",
          "{\"success\": [{\"deleteRange\": {\"prefix\": \"k/\"}}]}");
      Rest.assertProblem(rest, 422, "limits.maxWriteKeys");
      assertThat(rest.body().get("type").asText()).isEqualTo("urn:rocksraft:problem:too-large");
      assertThat(kv.range(keys).getKvsCount()).isEqualTo(20);

      // As the message says: in smaller ranges.
      assertThat(kv.deleteRange(DeleteRangeRequest.newBuilder().setStart(utf8("k/")).setEnd(utf8("k/10")).build())
          .getDeleted()).isEqualTo(10);
      assertThat(kv.deleteRange(all).getDeleted()).isEqualTo(10);
      assertThat(kv.range(keys).getKvsCount()).isZero();
    }
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
