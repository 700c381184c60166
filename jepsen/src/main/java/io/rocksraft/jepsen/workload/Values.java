package io.rocksraft.jepsen.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.TxnOp;

/** Keys and values as the workloads store them: text, numbers in decimal. */
final class Values {
  static final ObjectMapper JSON = new ObjectMapper();

  private Values() {}

  static ByteString bytes(Object v) {
    return ByteString.copyFromUtf8(String.valueOf(v));
  }

  /** A transaction compare: {@code key}'s value is {@code value}. */
  static Compare valueIs(String key, Object value) {
    return Compare.newBuilder().setKey(bytes(key)).setTarget(Compare.Target.VALUE)
        .setResult(Compare.Result.EQUAL).setValue(bytes(value)).build();
  }

  /** A transaction operation: put {@code value} at {@code key}. */
  static TxnOp put(String key, Object value) {
    return TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value))).build();
  }
}
