package io.rocksraft.server.api.rest;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.security.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The {@code Idempotency-Key} request header (IETF httpapi draft): a REST client's own
 * exactly-once id for a write, so that its retry after a lost answer is answered from the
 * session table instead of being applied again. The key becomes a write id of its own (a
 * client of one write), scoped to the authenticated user; the request's digest goes with it,
 * so the same key sent with another request is refused (422) rather than answered with the
 * first one's result.
 */
final class IdempotencyKey {
  static final String HEADER = "Idempotency-Key";
  static final int MAX_LENGTH = 255;
  private static final int CLIENT_ID_BYTES = 16;

  private IdempotencyKey() {}

  /**
   * The write id for a request that sent the header ({@code header} null: none, empty). {@code
   * operation} and {@code request} (without an id) describe the write: a retry must repeat both.
   */
  static Optional<WriteId> writeId(String header, Caller caller, String operation, MessageLite request) {
    if (header == null) {
      return Optional.empty();
    }
    String key = parse(header);
    String user = caller.user() == null ? "" : caller.user();
    byte[] client = sha256("rocksraft-rest-idempotency-key\0" + user + "\0" + key);
    MessageDigest digest = digest();
    digest.update(operation.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(request.toByteArray());
    return Optional.of(WriteId.newBuilder()
        .setClientId(ByteString.copyFrom(client, 0, CLIENT_ID_BYTES))
        .setSequence(1)
        .setRequestHash(ByteString.copyFrom(digest.digest()))
        .build());
  }

  /** The key: a structured-field string ({@code "..."}, as the draft has it) or the bare text. */
  static String parse(String header) {
    String value = header.strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    if (value.isEmpty() || value.length() > MAX_LENGTH || !value.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
      throw KvException.invalid(HEADER + " must be 1 to " + MAX_LENGTH + " printable ASCII characters");
    }
    return value;
  }

  private static byte[] sha256(String text) {
    return digest().digest(text.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
