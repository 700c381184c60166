package io.rocksraft.server.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Keys of the {@code meta} column family. */
final class MetaKeys {
  private MetaKeys() {}

  /** Term and index of the last applied log entry. */
  static final byte[] APPLIED = bytes("applied");
  /** The store revision: grows by one with every write that changes the kv column family. */
  static final byte[] REVISION = bytes("revision");
  /** The highest session clock applied ({@link LeaderClock}), so session expiry never runs backwards. */
  static final byte[] CLOCK = bytes("clock");
  /** The proposer-clock minute of the last complete session-expiry sweep. */
  static final byte[] SWEPT = bytes("swept");
  /** The oldest revision whose events the history column family still keeps. */
  static final byte[] OLDEST_HISTORY = bytes("oldest-history");

  static final byte HASH = 'h';
  /** Exactly-once sessions: a stored result per (client, sequence). */
  private static final byte RESULT = 'r';
  /** Per client: every sequence below this one was acknowledged by the client. */
  private static final byte WATERMARK = 'w';
  /** Per client: the minute it was last seen (session clock). */
  private static final byte LAST_SEEN = 'l';
  /** Expiry queue: (minute last seen, client), in time order. */
  static final byte EXPIRY = 'x';
  /** Member addresses by member id (a {@code kv.v1.Member}). */
  static final byte MEMBER = 'm';

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] member(String id) {
    byte[] b = bytes(id);
    return ByteBuffer.allocate(1 + b.length).put(MEMBER).put(b).array();
  }

  static byte[] hash(long index) {
    return ByteBuffer.allocate(1 + Long.BYTES).put(HASH).putLong(index).array();
  }

  static byte[] resultPrefix(byte[] client) {
    return clientKey(RESULT, client, 0).array();
  }

  static byte[] result(byte[] client, long sequence) {
    return clientKey(RESULT, client, Long.BYTES).putLong(sequence).array();
  }

  static byte[] watermark(byte[] client) {
    return clientKey(WATERMARK, client, 0).array();
  }

  static byte[] lastSeen(byte[] client) {
    return clientKey(LAST_SEEN, client, 0).array();
  }

  static byte[] expiry(long minute, byte[] client) {
    return ByteBuffer.allocate(1 + Long.BYTES + client.length).put(EXPIRY).putLong(minute).put(client).array();
  }

  static long expiryMinute(byte[] key) {
    return ByteBuffer.wrap(key, 1, Long.BYTES).getLong();
  }

  static byte[] expiryClient(byte[] key) {
    byte[] client = new byte[key.length - 1 - Long.BYTES];
    System.arraycopy(key, 1 + Long.BYTES, client, 0, client.length);
    return client;
  }

  static long sequenceOf(byte[] resultKey) {
    return ByteBuffer.wrap(resultKey, resultKey.length - Long.BYTES, Long.BYTES).getLong();
  }

  private static ByteBuffer clientKey(byte kind, byte[] client, int extra) {
    // The length byte keeps one client's keys from being a prefix of another's.
    return ByteBuffer.allocate(2 + client.length + extra).put(kind).put((byte) client.length).put(client);
  }

  static long toLong(byte[] b) {
    return b == null ? 0 : ByteBuffer.wrap(b).getLong();
  }

  static byte[] fromLong(long v) {
    return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
  }
}
