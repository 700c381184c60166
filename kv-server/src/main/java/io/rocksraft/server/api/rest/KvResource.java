package io.rocksraft.server.api.rest;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Consistency;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.ReadOptions;
import io.rocksraft.server.api.KvOperations;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * {@code /v1/kv}: keys and values as UTF-8 text, base64 for binary. Translates to the same
 * internal requests as gRPC; writes reaching a follower are forwarded to the leader.
 */
@Path("/v1/kv")
@Produces(MediaType.APPLICATION_JSON)
public final class KvResource {
  /** A PUT body: exactly one of value (text) and valueBase64, each a JSON string and nothing else. */
  public record PutBody(@Text String value, @Text String valueBase64) {}

  private final KvOperations ops;
  private final long timeoutMs;

  public KvResource(KvOperations ops, long timeoutMs) {
    this.ops = ops;
    this.timeoutMs = timeoutMs;
  }

  @GET
  @Path("{key: .+}")
  public CompletionStage<Map<String, Object>> get(@PathParam("key") String key,
                                                  @QueryParam("consistency") @DefaultValue("linearizable") String consistency,
                                                  @Context ContainerRequestContext request) {
    GetRequest req = GetRequest.newBuilder().setKey(Json.utf8(key)).setRead(readOptions(consistency)).build();
    return Json.answer(ops.get(RestCallers.caller(request), req).thenApply(r -> {
          if (!r.getFound()) {
            throw new KvException(ErrorKind.NOT_FOUND, "key '" + key + "' does not exist");
          }
          return Json.keyValue(r.getKv());
        }), timeoutMs);
  }

  @PUT
  @Path("{key: .+}")
  @Consumes(MediaType.APPLICATION_JSON)
  public CompletionStage<Map<String, Object>> put(@PathParam("key") String key, @QueryParam("cas") String cas,
                                                  @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
                                                  PutBody body, @Context ContainerRequestContext request) {
    ByteString value = value(body);
    PutRequest.Builder put = PutRequest.newBuilder().setKey(Json.utf8(key)).setValue(value);
    IdempotencyKey.writeId(idempotencyKey, RestCallers.caller(request), cas == null ? "PUT" : "PUT cas=" + cas,
        put.build()).ifPresent(put::setId);
    if (cas == null) {
      return Json.answer(ops.put(RestCallers.caller(request), put.build()).thenApply(r -> written(key, r.getHeader().getRevision())), timeoutMs);
    }
    long expected = revision(cas);
    return Json.answer(ops.compareAndPut(RestCallers.caller(request), put.build(), expected).thenApply(r -> {
          if (!r.getSucceeded()) {
            var current = r.getResults(0).getGet();
            throw new KvException(ErrorKind.FAILED_PRECONDITION, "compare-and-set failed: expected revision "
                + expected + ", the key's revision is " + (current.getFound() ? current.getKv().getModRevision() : 0)
                + (current.getFound() ? "" : " (it does not exist)"));
          }
          return written(key, r.getHeader().getRevision());
        }), timeoutMs);
  }

  @DELETE
  @Path("{key: .+}")
  public CompletionStage<Map<String, Object>> delete(@PathParam("key") String key,
                                                     @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
                                                     @Context ContainerRequestContext request) {
    DeleteRequest.Builder delete = DeleteRequest.newBuilder().setKey(Json.utf8(key));
    IdempotencyKey.writeId(idempotencyKey, RestCallers.caller(request), "DELETE", delete.build())
        .ifPresent(delete::setId);
    DeleteRequest req = delete.build();
    return Json.answer(ops.delete(RestCallers.caller(request), req).thenApply(r -> {
          if (r.getDeleted() == 0) {
            throw new KvException(ErrorKind.NOT_FOUND, "key '" + key + "' does not exist");
          }
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("deleted", r.getDeleted());
          out.put("revision", r.getHeader().getRevision());
          return out;
        }), timeoutMs);
  }

  /**
   * Keys with a prefix, in order, a page at a time: pass the answer's {@code next} as {@code after},
   * or its {@code nextBase64} (a key that is not UTF-8) as {@code afterBase64}.
   */
  @GET
  public CompletionStage<Map<String, Object>> scan(@QueryParam("prefix") @DefaultValue("") String prefix,
                                                   @QueryParam("limit") @DefaultValue("0") String limit,
                                                   @QueryParam("after") String after,
                                                   @QueryParam("afterBase64") String afterBase64,
                                                   @QueryParam("consistency") @DefaultValue("linearizable") String consistency,
                                                   @Context ContainerRequestContext request) {
    int max;
    try {
      max = Integer.parseInt(limit);
    } catch (NumberFormatException e) {
      throw KvException.invalid("limit '" + limit + "' is not a number");
    }
    if (max < 0) {
      throw KvException.invalid("limit must be 0 (the server's maximum) or more");
    }
    RangeRequest.Builder req = RangeRequest.newBuilder().setPrefix(Json.utf8(prefix)).setLimit(max)
        .setRead(readOptions(consistency));
    if (after != null || afterBase64 != null) {
      // The first key past it: the key and a 0x00.
      req.setStart(Json.textOrBase64(after, afterBase64, "after").concat(ByteString.copyFrom(new byte[] {0})));
    }
    return Json.answer(ops.range(RestCallers.caller(request), req.build()).thenApply(r -> {
          List<Map<String, Object>> kvs = new ArrayList<>();
          r.getKvsList().forEach(kv -> kvs.add(Json.keyValue(kv)));
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("kvs", kvs);
          out.put("more", r.getMore());
          if (r.getMore()) {
            Json.putBytes(out, "next", r.getKvs(r.getKvsCount() - 1).getKey());
          }
          out.put("revision", r.getHeader().getRevision());
          return out;
        }), timeoutMs);
  }

  private static Map<String, Object> written(String key, long revision) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", key);
    out.put("revision", revision);
    return out;
  }

  private static ByteString value(PutBody body) {
    if (body == null) {
      throw KvException.invalid("a JSON body {\"value\": \"text\"} or {\"valueBase64\": \"...\"} is required");
    }
    return Json.textOrBase64(body.value(), body.valueBase64(), "value");
  }

  private static long revision(String cas) {
    try {
      long r = Long.parseLong(cas);
      if (r < 0) {
        throw KvException.invalid("cas must be a revision (0 = only if the key does not exist)");
      }
      return r;
    } catch (NumberFormatException e) {
      throw KvException.invalid("cas '" + cas + "' is not a revision number");
    }
  }

  private static ReadOptions readOptions(String consistency) {
    return switch (consistency) {
      case "linearizable" -> ReadOptions.newBuilder().setConsistency(Consistency.LINEARIZABLE).build();
      case "follower" -> ReadOptions.newBuilder().setConsistency(Consistency.FOLLOWER).build();
      default -> throw KvException.invalid("consistency '" + consistency + "' is not linearizable or follower");
    };
  }
}
