package io.rocksraft.server.api.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The REST edge's encodings: bytes to UTF-8 text (or base64 when not text), and futures to answers. */
final class Json {
  private Json() {}

  static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** A key or value as JSON fields: {@code name} when it is UTF-8 text, else {@code nameBase64}. */
  static void putBytes(Map<String, Object> out, String name, ByteString bytes) {
    try {
      out.put(name, StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
    } catch (CharacterCodingException e) {
      out.put(name + "Base64", Base64.getEncoder().encodeToString(bytes.toByteArray()));
    }
  }

  static Map<String, Object> keyValue(KeyValue kv) {
    Map<String, Object> out = new LinkedHashMap<>();
    putBytes(out, "key", kv.getKey());
    putBytes(out, "value", kv.getValue());
    out.put("revision", kv.getModRevision());
    out.put("createRevision", kv.getCreateRevision());
    out.put("version", kv.getVersion());
    return out;
  }

  /** A body field given as text ({@code name}) or base64 ({@code nameBase64}): exactly one of them. */
  static ByteString textOrBase64(String text, String base64, String name) {
    if ((text == null) == (base64 == null)) {
      throw KvException.invalid("give exactly one of " + name + " and " + name + "Base64");
    }
    return text != null ? utf8(text) : base64(name + "Base64", base64);
  }

  static ByteString base64(String field, String text) {
    try {
      return ByteString.copyFrom(Base64.getDecoder().decode(text));
    } catch (IllegalArgumentException e) {
      throw KvException.invalid(field + " is not valid base64: " + e.getMessage());
    }
  }

  /**
   * A string field that takes a JSON string only: Jackson would otherwise store {@code 5} or
   * {@code true} as the text "5" or "true".
   */
  public static final class TextOnly extends StdDeserializer<String> {
    private static final long serialVersionUID = 1L;

    public TextOnly() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (String) ctxt.handleUnexpectedToken(String.class, p);
      }
      return p.getText();
    }
  }

  /** Bounds a call by the node's request timeout and fails it with the cause itself, unwrapped. */
  static <T> CompletionStage<T> answer(CompletableFuture<T> call, long timeoutMs) {
    CompletableFuture<T> out = new CompletableFuture<>();
    call.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((value, error) -> {
      if (error == null) {
        out.complete(value);
        return;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      out.completeExceptionally(cause instanceof TimeoutException
          ? new KvException(ErrorKind.UNAVAILABLE, "no answer within " + timeoutMs
              + " ms (requestTimeoutMs): the group may have no quorum; a write may still commit")
          : KvException.from(cause));
    });
    return out;
  }
}
