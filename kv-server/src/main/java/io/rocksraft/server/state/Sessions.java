package io.rocksraft.server.state;

import io.rocksraft.api.v1.WriteId;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.Failure;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Exactly-once writes: the answer to each (client id, sequence) is kept in the {@code meta}
 * column family, so a retried write gets the stored answer instead of running twice, also
 * after a restart or a snapshot install. Memory and disk stay bounded: a client's answers
 * below its acknowledged watermark are dropped, and clients idle longer than {@link #TTL}
 * are forgotten. Expiry runs on the session clock the leader stamps on each entry
 * ({@link LeaderClock}), so every replica drops the same sessions at the same entry.
 *
 * <p>The expiry queue is kept in whole minutes, and a client's queue key moves at most once a
 * minute; the queue is swept at most once a minute. Moving a key on every write would leave a
 * tombstone per write in front of the queue, and every sweep would have to step over them.
 */
final class Sessions {
  /** Fixed, not configurable: every replica must expire sessions identically. */
  static final Duration TTL = Duration.ofHours(1);
  private static final int MAX_EXPIRED_PER_ENTRY = 32;
  private static final long BUCKET_MILLIS = 60_000;
  /** Up to this many acknowledged answers are deleted by key; more are found by a scan. */
  private static final long BLIND_DELETES = 256;

  /** Clients whose session keys are remembered; a client past this many is read back when next seen. */
  static final int CLIENTS_KEPT = 16_384;

  private final ColumnFamilyHandle cf;
  /**
   * What the meta column family holds of each recently seen client, so that a write need not
   * read its session keys back (those point reads were a quarter of applying a write). Used
   * by the apply thread only; a new applier (an installed snapshot) starts empty.
   */
  private final LinkedHashMap<ByteString, Client> clients;
  /** The minute of the last finished sweep as stored, once read (-1 before): a point read per entry otherwise. */
  private long swept = -1;

  /** One client's session keys as stored: watermark, minute last seen (-1 none), highest stored answer (0 none). */
  private static final class Client {
    long watermark;
    long seenMinute;
    long highestAnswer;
  }

  /** {@code clientsKept}: how many clients' session keys to remember (0: read them for every write). */
  Sessions(ColumnFamilyHandle cf, int clientsKept) {
    this.cf = cf;
    this.clients = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteString, Client> eldest) {
        return size() > clientsKept;
      }
    };
  }

  /**
   * The stored answer for a retried write, a failure when it was acknowledged or when its id
   * was used for another request (another request hash), or null when new.
   */
  CommandResult lookup(KvView meta, WriteId id) {
    byte[] client = id.getClientId().toByteArray();
    Client c = client(meta, id.getClientId(), client);
    if (id.getSequence() < c.watermark) {
      return CommandResult.newBuilder().setFailure(Failure.newBuilder()
          .setCode(Failure.Code.SESSION_EXPIRED)
          .setMessage("write " + id.getSequence() + " of this client was already acknowledged by it; "
              + "its answer is no longer kept"))
          .build();
    }
    if (id.getSequence() > c.highestAnswer && id.getSequence() > 0) {
      return null;
    }
    byte[] stored = meta.getRaw(MetaKeys.result(client, id.getSequence()));
    if (stored == null) {
      return null;
    }
    CommandResult answer;
    try {
      answer = CommandResult.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt session result", e);
    }
    if (!answer.getRequestHash().equals(id.getRequestHash())) {
      return CommandResult.newBuilder().setFailure(Failure.newBuilder()
          .setCode(Failure.Code.WRITE_ID_REUSED)
          .setMessage("this write id (or Idempotency-Key) was used before for another request; "
              + "send a new one for a new request"))
          .build();
    }
    return answer.getRequestHash().isEmpty() ? answer : answer.toBuilder().clearRequestHash().build();
  }

  void record(KvView meta, WriteBatchWithIndex wb, WriteId id, CommandResult result, long clock)
      throws RocksDBException {
    byte[] client = id.getClientId().toByteArray();
    Client c = client(meta, id.getClientId(), client);
    CommandResult stored = id.getRequestHash().isEmpty() ? result
        : result.toBuilder().setRequestHash(id.getRequestHash()).build();
    wb.put(cf, MetaKeys.result(client, id.getSequence()), stored.toByteArray());
    if (id.getSequence() > 0) {
      c.highestAnswer = Math.max(c.highestAnswer, id.getSequence());
    }
    long watermark = c.watermark;
    long acknowledged = Math.min(id.getFirstIncomplete(), id.getSequence());
    if (acknowledged > watermark) {
      if (acknowledged - watermark <= BLIND_DELETES) {
        // The usual step: the few answers the client has just acknowledged, deleted by key. No
        // iterator: one that ends its walk on the next client's answers first steps over all of
        // their deleted ones, which made this the most expensive part of applying a write.
        for (long sequence = watermark; sequence < acknowledged; sequence++) {
          wb.delete(cf, MetaKeys.result(client, sequence));
        }
      } else {
        for (byte[] key : resultKeys(meta, client, watermark, acknowledged)) {
          wb.delete(cf, key);
        }
      }
      wb.put(cf, MetaKeys.watermark(client), MetaKeys.fromLong(acknowledged));
      c.watermark = acknowledged;
    }
    long bucket = clock / BUCKET_MILLIS;
    if (c.seenMinute == bucket) {
      return;
    }
    if (c.seenMinute >= 0) {
      wb.delete(cf, MetaKeys.expiry(c.seenMinute, client));
    }
    wb.put(cf, MetaKeys.expiry(bucket, client), new byte[0]);
    wb.put(cf, MetaKeys.lastSeen(client), MetaKeys.fromLong(bucket));
    c.seenMinute = bucket;
  }

  /** Forgets every remembered client: after a failed apply they may not match the database. */
  void forget() {
    clients.clear();
    swept = -1;
  }

  private Client client(KvView meta, ByteString id, byte[] client) {
    Client c = clients.get(id);
    if (c == null) {
      c = new Client();
      c.watermark = MetaKeys.toLong(meta.getRaw(MetaKeys.watermark(client)));
      byte[] seen = meta.getRaw(MetaKeys.lastSeen(client));
      c.seenMinute = seen == null ? -1 : MetaKeys.toLong(seen);
      c.highestAnswer = highestAnswer(meta, client, c.watermark);
      clients.put(id, c);
    }
    return c;
  }

  /** The highest sequence with a stored answer at or above the watermark (answers below it are deleted), 0 when none. */
  private static long highestAnswer(KvView meta, byte[] client, long watermark) {
    byte[] prefix = MetaKeys.resultPrefix(client);
    try (RocksIterator it = meta.iterator()) {
      // Sequences are at least 1, so -1 (all ones) sorts after every answer of the client.
      it.seekForPrev(MetaKeys.result(client, -1L));
      if (it.isValid() && isAnswerOf(it.key(), prefix)) {
        long sequence = MetaKeys.sequenceOf(it.key());
        return sequence >= watermark ? sequence : 0;
      }
    }
    return 0;
  }

  /** Forgets clients not seen for {@link #TTL}, at most once a minute and a few per entry. */
  void expire(KvView meta, WriteBatchWithIndex wb, long clock) throws RocksDBException {
    long bucket = clock / BUCKET_MILLIS;
    if (swept < 0) {
      swept = MetaKeys.toLong(meta.getRaw(MetaKeys.SWEPT));
    }
    if (swept >= bucket) {
      return;
    }
    long cutoff = bucket - TTL.toMillis() / BUCKET_MILLIS;
    List<byte[]> expired = new ArrayList<>();
    try (RocksIterator it = meta.iterator()) {
      for (it.seek(new byte[] {MetaKeys.EXPIRY});
          it.isValid() && it.key()[0] == MetaKeys.EXPIRY && expired.size() < MAX_EXPIRED_PER_ENTRY;
          it.next()) {
        if (MetaKeys.expiryMinute(it.key()) >= cutoff) {
          break;
        }
        expired.add(it.key());
      }
    }
    for (byte[] key : expired) {
      byte[] client = MetaKeys.expiryClient(key);
      clients.remove(UnsafeByteOperations.unsafeWrap(client));
      for (byte[] result : resultKeys(meta, client, 0, Long.MAX_VALUE)) {
        wb.delete(cf, result);
      }
      wb.delete(cf, MetaKeys.watermark(client));
      wb.delete(cf, MetaKeys.lastSeen(client));
      wb.delete(cf, key);
    }
    if (expired.size() < MAX_EXPIRED_PER_ENTRY) {
      // Done for this minute; otherwise the next entry continues.
      wb.put(cf, MetaKeys.SWEPT, MetaKeys.fromLong(bucket));
      swept = bucket;
    }
  }

  private static List<byte[]> resultKeys(KvView meta, byte[] client, long fromSeq, long toSeq) {
    byte[] prefix = MetaKeys.resultPrefix(client);
    List<byte[]> keys = new ArrayList<>();
    try (RocksIterator it = meta.iterator()) {
      for (it.seek(MetaKeys.result(client, fromSeq)); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (!isAnswerOf(key, prefix) || MetaKeys.sequenceOf(key) >= toSeq) {
          break;
        }
        keys.add(key);
      }
    }
    return keys;
  }

  /** Whether {@code key} is a stored answer of the client whose answer keys start with {@code prefix}. */
  private static boolean isAnswerOf(byte[] key, byte[] prefix) {
    return key.length == prefix.length + Long.BYTES && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
