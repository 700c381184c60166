package io.rocksraft.server.api;

import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.Consistency;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.ReadOptions;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.WatchRequest;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.error.KvException;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import java.util.List;

/**
 * Checks every request against the configured limits before it reaches the log, with a
 * message that says what is wrong. Shared by every API.
 */
public final class RequestValidator {
  private static final int MAX_CLIENT_ID_BYTES = 64;
  private static final int MAX_REQUEST_HASH_BYTES = 64;
  private final NodeConfig.Limits limits;

  public RequestValidator(NodeConfig.Limits limits) {
    this.limits = limits;
  }

  public void get(GetRequest req) {
    key("key", req.getKey());
    read(req.getRead());
  }

  public void range(RangeRequest req) {
    range(req.getStart(), req.getEnd(), req.getPrefix());
    read(req.getRead());
  }

  public void put(PutRequest req) {
    size(req);
    key("key", req.getKey());
    value(req.getValue());
    writeId(req.getId());
  }

  public void delete(DeleteRequest req) {
    key("key", req.getKey());
    writeId(req.getId());
  }

  public void deleteRange(DeleteRangeRequest req) {
    range(req.getStart(), req.getEnd(), req.getPrefix());
    writeId(req.getId());
  }

  public void txn(TxnRequest req) {
    size(req);
    writeId(req.getId());
    int ops = req.getComparesCount() + Math.max(req.getSuccessCount(), req.getFailureCount());
    if (ops > limits.maxTxnOps()) {
      throw KvException.invalid("txn has " + ops + " compares and operations in its longer branch; the limit is "
          + limits.maxTxnOps() + " (limits.maxTxnOps)");
    }
    for (int i = 0; i < req.getComparesCount(); i++) {
      compare(i, req.getCompares(i));
    }
    txnOps("success", req.getSuccessList());
    txnOps("failure", req.getFailureList());
  }

  private void txnOps(String branch, List<TxnOp> ops) {
    for (int i = 0; i < ops.size(); i++) {
      TxnOp op = ops.get(i);
      String where = "txn " + branch + "[" + i + "]: ";
      try {
        switch (op.getOpCase()) {
          case GET -> key("key", op.getGet().getKey());
          case RANGE -> range(op.getRange().getStart(), op.getRange().getEnd(), op.getRange().getPrefix());
          case PUT -> {
            key("key", op.getPut().getKey());
            value(op.getPut().getValue());
          }
          case DELETE -> key("key", op.getDelete().getKey());
          case DELETE_RANGE -> range(op.getDeleteRange().getStart(), op.getDeleteRange().getEnd(),
              op.getDeleteRange().getPrefix());
          default -> throw KvException.invalid("operation is empty");
        }
      } catch (KvException e) {
        throw KvException.invalid(where + e.getMessage());
      }
    }
  }

  private void compare(int i, Compare c) {
    try {
      key("key", c.getKey());
      if (c.getTarget() == Compare.Target.UNRECOGNIZED || c.getResult() == Compare.Result.UNRECOGNIZED) {
        throw KvException.invalid("unknown target or result");
      }
      if (c.getTarget() == Compare.Target.VALUE && c.getOperandCase() != Compare.OperandCase.VALUE) {
        throw KvException.invalid("a VALUE compare needs a value operand");
      }
      if (c.getTarget() != Compare.Target.VALUE && c.getOperandCase() == Compare.OperandCase.VALUE) {
        throw KvException.invalid("a " + c.getTarget() + " compare needs a number operand");
      }
      if (c.getOperandCase() == Compare.OperandCase.VALUE) {
        value(c.getValue());
      }
    } catch (KvException e) {
      throw KvException.invalid("txn compare[" + i + "]: " + e.getMessage());
    }
  }

  public void watch(WatchRequest req) {
    if (!req.getKey().isEmpty() && !req.getPrefix().isEmpty()) {
      throw KvException.invalid("watch: give either key or prefix, not both");
    }
    if (!req.getKey().isEmpty()) {
      key("key", req.getKey());
    }
    range(ByteString.EMPTY, ByteString.EMPTY, req.getPrefix());
  }

  private void key(String what, ByteString key) {
    if (key.isEmpty()) {
      throw KvException.invalid(what + " is empty");
    }
    if (key.size() > limits.maxKeyBytes()) {
      throw KvException.invalid(what + " is " + key.size() + " bytes; the limit is " + limits.maxKeyBytes()
          + " (limits.maxKeyBytes)");
    }
  }

  private void value(ByteString value) {
    if (value.size() > limits.maxValueBytes()) {
      throw KvException.invalid("value is " + value.size() + " bytes; the limit is " + limits.maxValueBytes()
          + " (limits.maxValueBytes)");
    }
  }

  private void size(Message request) {
    int size = request.getSerializedSize();
    if (size > limits.maxRequestBytes()) {
      throw KvException.invalid("request is " + size + " bytes; the limit is " + limits.maxRequestBytes()
          + " (limits.maxRequestBytes)");
    }
  }

  private void range(ByteString start, ByteString end, ByteString prefix) {
    // A bound may be a key and the 0x00 after it, the first key past it: the continuation of a
    // page that ended at a key of the maximum length (etcd's clients page the same way).
    int maxBound = limits.maxKeyBytes() + 1;
    if (start.size() > maxBound || end.size() > maxBound) {
      throw KvException.invalid("range bound is longer than " + maxBound + " bytes (limits.maxKeyBytes and a 0x00)");
    }
    if (prefix.size() > limits.maxKeyBytes()) {
      throw KvException.invalid("prefix is longer than " + limits.maxKeyBytes() + " bytes (limits.maxKeyBytes)");
    }
    if (!prefix.isEmpty() && !end.isEmpty()) {
      throw KvException.invalid("range: give either prefix or end, not both");
    }
    if (!end.isEmpty() && ByteString.unsignedLexicographicalComparator().compare(start, end) >= 0) {
      throw KvException.invalid("range: start must be below end");
    }
  }

  private static void read(ReadOptions read) {
    if (read.getConsistency() == Consistency.UNRECOGNIZED) {
      throw KvException.invalid("unknown consistency " + read.getConsistencyValue()
          + "; use LINEARIZABLE or FOLLOWER");
    }
    if (read.getConsistency() == Consistency.LINEARIZABLE && read.getMinIndex() != 0) {
      throw KvException.invalid("min_index applies to FOLLOWER reads only");
    }
  }

  private static void writeId(WriteId id) {
    if (id.getClientId().isEmpty()) {
      if (id.getSequence() != 0 || id.getFirstIncomplete() != 0) {
        throw KvException.invalid("write id: sequence given without client_id");
      }
      if (!id.getRequestHash().isEmpty()) {
        throw KvException.invalid("write id: request_hash given without client_id");
      }
      return;
    }
    if (id.getRequestHash().size() > MAX_REQUEST_HASH_BYTES) {
      throw KvException.invalid("write id: request_hash is " + id.getRequestHash().size() + " bytes; the limit is "
          + MAX_REQUEST_HASH_BYTES);
    }
    if (id.getClientId().size() > MAX_CLIENT_ID_BYTES) {
      throw KvException.invalid("write id: client_id is " + id.getClientId().size() + " bytes; the limit is "
          + MAX_CLIENT_ID_BYTES);
    }
    if (id.getSequence() < 1) {
      throw KvException.invalid("write id: sequence must be at least 1");
    }
    if (id.getFirstIncomplete() > id.getSequence()) {
      throw KvException.invalid("write id: first_incomplete " + id.getFirstIncomplete()
          + " is above sequence " + id.getSequence());
    }
  }
}
