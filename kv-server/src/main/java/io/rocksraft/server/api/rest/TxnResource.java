package io.rocksraft.server.api.rest;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnOpResult;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.server.api.KvOperations;
import io.rocksraft.server.error.KvException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /v1/txn}: compares, then the success or the failure operations, atomically and
 * at one revision. Keys and values are text, or base64 in the {@code ...Base64} twin field.
 */
@Path("/v1/txn")
@Produces(MediaType.APPLICATION_JSON)
public final class TxnResource {
  public record TxnBody(List<CompareBody> compare, List<OpBody> success, List<OpBody> failure) {}

  /** {@code target}: value, version, revision or createRevision; {@code result}: =, !=, &gt; or &lt;. */
  public record CompareBody(@Text String key, @Text String keyBase64, @Text String target, @Text String result,
                            @Text String value, @Text String valueBase64, Long number) {}

  /** Exactly one field set. Text fields take JSON strings only, as in {@link KvResource}. */
  public record OpBody(KeyBody get, RangeBody range, PutOp put, KeyBody delete, RangeBody deleteRange) {}

  public record KeyBody(@Text String key, @Text String keyBase64) {}

  public record PutOp(@Text String key, @Text String keyBase64, @Text String value, @Text String valueBase64) {}

  /** A prefix, or [start, end) with an empty end meaning "to the end". */
  public record RangeBody(@Text String prefix, @Text String start, @Text String end, Integer limit) {}

  private final KvOperations ops;
  private final long timeoutMs;

  public TxnResource(KvOperations ops, long timeoutMs) {
    this.ops = ops;
    this.timeoutMs = timeoutMs;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public CompletionStage<Map<String, Object>> txn(TxnBody body,
                                                  @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
                                                  @Context ContainerRequestContext request) {
    if (body == null) {
      throw KvException.invalid("a JSON body {\"compare\": [...], \"success\": [...], \"failure\": [...]} is required");
    }
    TxnRequest.Builder req = TxnRequest.newBuilder();
    List<CompareBody> compares = orEmpty(body.compare());
    for (int i = 0; i < compares.size(); i++) {
      req.addCompares(compare(compares.get(i), "compare[" + i + "]"));
    }
    orEmpty(body.success()).forEach(op -> req.addSuccess(op(op, "success")));
    orEmpty(body.failure()).forEach(op -> req.addFailure(op(op, "failure")));
    IdempotencyKey.writeId(idempotencyKey, RestCallers.caller(request), "POST /v1/txn", req.build())
        .ifPresent(req::setId);
    return Json.answer(ops.txn(RestCallers.caller(request), req.build()).thenApply(r -> {
          List<Map<String, Object>> results = new ArrayList<>();
          r.getResultsList().forEach(result -> results.add(result(result)));
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("succeeded", r.getSucceeded());
          out.put("revision", r.getHeader().getRevision());
          out.put("results", results);
          return out;
        }), timeoutMs);
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static Compare compare(CompareBody c, String where) {
    if (c == null) {
      throw KvException.invalid(where + " is null");
    }
    Compare.Builder out = Compare.newBuilder().setKey(bytes(c.key(), c.keyBase64(), where + ".key"));
    out.setResult(switch (c.result() == null ? "" : c.result()) {
      case "=" -> Compare.Result.EQUAL;
      case "!=" -> Compare.Result.NOT_EQUAL;
      case ">" -> Compare.Result.GREATER;
      case "<" -> Compare.Result.LESS;
      default -> throw KvException.invalid(where + ".result '" + c.result() + "' is not one of =, !=, >, <");
    });
    String target = c.target() == null ? "" : c.target();
    if (target.equals("value")) {
      if (c.number() != null) {
        throw KvException.invalid(where + ": a value compare takes value or valueBase64, not number");
      }
      return out.setTarget(Compare.Target.VALUE).setValue(bytes(c.value(), c.valueBase64(), where + ".value")).build();
    }
    out.setTarget(switch (target) {
      case "version" -> Compare.Target.VERSION;
      case "revision" -> Compare.Target.MOD_REVISION;
      case "createRevision" -> Compare.Target.CREATE_REVISION;
      default -> throw KvException.invalid(where + ".target '" + c.target()
          + "' is not one of value, version, revision, createRevision");
    });
    if (c.number() == null || c.number() < 0 || c.value() != null || c.valueBase64() != null) {
      throw KvException.invalid(where + ": a " + target + " compare takes a number ≥ 0 and no value");
    }
    return out.setNumber(c.number()).build();
  }

  private static TxnOp op(OpBody op, String where) {
    if (op == null) {
      throw KvException.invalid(where + " has a null operation");
    }
    List<TxnOp> set = new ArrayList<>();
    if (op.get() != null) {
      set.add(TxnOp.newBuilder().setGet(GetRequest.newBuilder().setKey(key(op.get(), where))).build());
    }
    if (op.put() != null) {
      PutOp p = op.put();
      set.add(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(bytes(p.key(), p.keyBase64(), where + ".put.key"))
          .setValue(bytes(p.value(), p.valueBase64(), where + ".put.value"))).build());
    }
    if (op.delete() != null) {
      set.add(TxnOp.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(key(op.delete(), where))).build());
    }
    if (op.range() != null) {
      RangeBody r = op.range();
      set.add(TxnOp.newBuilder().setRange(RangeRequest.newBuilder().setPrefix(text(r.prefix())).setStart(text(r.start()))
          .setEnd(text(r.end())).setLimit(limit(r.limit(), where))).build());
    }
    if (op.deleteRange() != null) {
      RangeBody r = op.deleteRange();
      set.add(TxnOp.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder().setPrefix(text(r.prefix()))
          .setStart(text(r.start())).setEnd(text(r.end()))).build());
    }
    if (set.size() != 1) {
      throw KvException.invalid(where + ": each operation has exactly one of get, range, put, delete, deleteRange");
    }
    return set.get(0);
  }

  private static ByteString key(KeyBody k, String where) {
    return bytes(k.key(), k.keyBase64(), where + ".key");
  }

  private static ByteString text(String s) {
    return s == null ? ByteString.EMPTY : Json.utf8(s);
  }

  private static int limit(Integer limit, String where) {
    if (limit != null && limit < 0) {
      throw KvException.invalid(where + ".range.limit must be 0 (the server's maximum) or more");
    }
    return limit == null ? 0 : limit;
  }

  /** {@code field} is a path like {@code compare[0].key}; its last part names the JSON member. */
  private static ByteString bytes(String text, String base64, String field) {
    try {
      return Json.textOrBase64(text, base64, field.substring(field.lastIndexOf('.') + 1));
    } catch (KvException e) {
      throw KvException.invalid(field.substring(0, field.lastIndexOf('.')) + ": " + e.getMessage());
    }
  }

  private static Map<String, Object> result(TxnOpResult r) {
    Map<String, Object> inner = new LinkedHashMap<>();
    String name;
    switch (r.getResultCase()) {
      case GET -> {
        name = "get";
        inner.put("found", r.getGet().getFound());
        if (r.getGet().getFound()) {
          inner.putAll(Json.keyValue(r.getGet().getKv()));
        }
      }
      case RANGE -> {
        name = "range";
        List<Map<String, Object>> kvs = new ArrayList<>();
        r.getRange().getKvsList().forEach(kv -> kvs.add(Json.keyValue(kv)));
        inner.put("kvs", kvs);
        inner.put("more", r.getRange().getMore());
      }
      case PUT -> {
        name = "put";
        inner.put("revision", r.getPut().getHeader().getRevision());
      }
      case DELETE -> {
        name = "delete";
        inner.put("deleted", r.getDelete().getDeleted());
      }
      case DELETE_RANGE -> {
        name = "deleteRange";
        inner.put("deleted", r.getDeleteRange().getDeleted());
      }
      default -> throw new IllegalStateException("unknown txn result " + r.getResultCase());
    }
    return Map.of(name, inner);
  }
}
