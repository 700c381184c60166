package io.rocksraft.server.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.rocksraft.api.v1.Event;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The recent changes of the store, for watches: column family {@code history}, keyed by
 * revision and the event's number within it (a transaction's writes share a revision), each
 * value an {@link Event}. The applier writes it in the same batch as the change itself and
 * drops revisions older than the retention; every replica holds the same events.
 */
public final class History {
  /** Which keys a watch follows: one key, every key with a prefix, or (both empty) all. */
  public record Filter(ByteString key, ByteString prefix) {
    boolean matches(ByteString k) {
      if (!key.isEmpty()) {
        return k.equals(key);
      }
      return k.startsWith(prefix);
    }
  }

  /** Events of whole revisions, in order; the next read starts at {@code nextRevision}. */
  public record Page(List<Event> events, long nextRevision) {}

  private final CurrentStore store;
  private final LongSupplier oldestKept;

  History(CurrentStore store, LongSupplier oldestKept) {
    this.store = store;
    this.oldestKept = oldestKept;
  }

  static byte[] key(long revision, int number) {
    return ByteBuffer.allocate(Long.BYTES + Integer.BYTES).putLong(revision).putInt(number).array();
  }

  static long revisionOf(byte[] key) {
    return ByteBuffer.wrap(key, 0, Long.BYTES).getLong();
  }

  /** The oldest revision whose events are still kept. */
  public long oldestKept() {
    return oldestKept.getAsLong();
  }

  /**
   * The events matching {@code filter} from revision {@code from} through {@code upTo}, about
   * {@code maxEvents} at most but never half a revision.
   *
   * @throws KvException COMPACTED when {@code from} is older than the oldest kept revision
   */
  public Page read(Filter filter, long from, long upTo, int maxEvents) {
    return store.read(s -> read(s, filter, from, upTo, maxEvents));
  }

  private Page read(StateStore s, Filter filter, long from, long upTo, int maxEvents) {
    List<Event> events = new ArrayList<>();
    try (Slice upperBound = new Slice(key(upTo + 1, 0));
         ReadOptions options = new ReadOptions().setIterateUpperBound(upperBound);
         RocksIterator it = s.db().newIterator(s.history(), options)) {
      it.seek(key(from, 0));
      // Checked after the iterator pinned its view: if `from` is kept now, what it sees is whole.
      checkKept(from);
      long current = -1;
      for (; it.isValid(); it.next()) {
        long revision = revisionOf(it.key());
        if (revision != current) {
          if (events.size() >= maxEvents) {
            return new Page(events, revision);
          }
          current = revision;
        }
        Event e = Event.parseFrom(it.value());
        if (filter.matches(e.getKv().getKey())) {
          events.add(e);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new KvException(ErrorKind.INTERNAL, "unreadable history entry", e);
    }
    return new Page(events, upTo + 1);
  }

  /** @throws KvException COMPACTED when revision {@code from} is older than the oldest kept */
  public void checkKept(long from) {
    long oldest = oldestKept();
    if (from < oldest) {
      throw compacted(from, oldest);
    }
  }

  private static KvException compacted(long from, long oldest) {
    return new KvException(ErrorKind.COMPACTED, "revision " + from + " is compacted: this node keeps history from "
        + "revision " + oldest + " on (watch.historyRevisions); read the current state and watch from its revision");
  }
}
