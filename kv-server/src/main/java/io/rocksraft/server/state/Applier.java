package io.rocksraft.server.state;

import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRangeResponse;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.DeleteResponse;
import io.rocksraft.api.v1.Event;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.GetResponse;
import io.rocksraft.api.v1.HashPointResponse;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.ResponseHeader;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnOpResult;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.TxnResponse;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.server.internal.BatchResult;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.Failure;
import io.rocksraft.server.internal.LogBatch;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.rocksraft.server.state.KeyVersions.Version;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed log entries to the {@code kv} column family. Each entry goes into one
 * write batch together with the applied index, the revision and the exactly-once sessions,
 * so a crash leaves either all of an entry or none of it. Called by one thread only, in log
 * order; every replica computes the same state from the same entries.
 *
 * <p>An entry's work is bounded by the {@link EntryBudget} it carries (keys changed, bytes of
 * answers), so no entry can exhaust a replica, and then every replica again after each restart.
 * A write that would pass the bounds is undone (a save point of the batch) and refused when it
 * had the entry to itself, or deferred to the proposer's next entry, with the writes after it,
 * when earlier writes of the entry used what it needed.
 */
final class Applier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
  /** Keys a range delete reads ahead of deleting them: its heap, whatever the range holds. */
  private static final int DELETE_CHUNK = 256;
  private static final CommandResult DEFERRED = CommandResult.newBuilder().setFailure(Failure.newBuilder()
      .setCode(Failure.Code.DEFERRED)
      .setMessage("not applied: the earlier writes of its log entry used the entry's bounds; goes into the next"))
      .build();

  private final StateStore store;
  private final String memberId;
  private final int maxRangeLimit;
  private final Sessions sessions;
  /** Revisions of history to keep for watches; 0 keeps none. */
  private final long historyRevisions;
  private volatile long oldestHistory;
  // Not synced: the raft_log payloads are the durable record; a lost tail is re-applied.
  private final WriteOptions writeOptions = new WriteOptions();
  private final ReadOptions readOptions = new ReadOptions();
  private volatile AppliedState applied;
  /** The session clock of the last applied entry (read by the leader to stamp new ones). */
  private volatile long clock;
  private final KeyVersions keyVersions;

  /**
   * {@code maxRangeLimit}: most keys a range inside a transaction answers in an entry that names no
   * bound (written before entries carried them); {@code keyCacheBytes}: heap for the versions of
   * recently written keys ({@link KeyVersions}).
   */
  Applier(StateStore store, String memberId, int maxRangeLimit, long historyRevisions, long keyCacheBytes) {
    this(store, memberId, maxRangeLimit, historyRevisions, keyCacheBytes, Sessions.CLIENTS_KEPT);
  }

  /** As above, remembering the sessions of up to {@code clientsKept} clients (tests compare other bounds). */
  Applier(StateStore store, String memberId, int maxRangeLimit, long historyRevisions, long keyCacheBytes,
          int clientsKept) {
    this.store = store;
    this.keyVersions = new KeyVersions(keyCacheBytes);
    this.memberId = memberId;
    this.maxRangeLimit = maxRangeLimit;
    this.historyRevisions = historyRevisions;
    this.sessions = new Sessions(store.meta(), clientsKept);
    this.applied = readApplied();
    this.clock = MetaKeys.toLong(get(MetaKeys.CLOCK));
    this.oldestHistory = Math.max(1, MetaKeys.toLong(get(MetaKeys.OLDEST_HISTORY)));
  }

  AppliedState applied() {
    return applied;
  }

  /** The session clock as of the last applied entry ({@link LeaderClock}). */
  long clock() {
    return clock;
  }

  /** The oldest revision the history keeps: a watch can start there or later. */
  long oldestHistory() {
    return historyRevisions == 0 ? applied.revision() + 1 : oldestHistory;
  }

  /** The result of one entry, and whether it asked for a state hash. */
  record Outcome(BatchResult result, boolean hashPoint) {}

  Outcome apply(byte[] payload, long term, long index) {
    LogBatch batch;
    try {
      batch = LogBatch.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      // Only a foreign Ratis client could log this; skip it the same way on every replica.
      LOG.warn("entry {} is not a LogBatch; skipped: {}", index, e.getMessage());
      batch = LogBatch.getDefaultInstance();
    }
    try (WriteBatchWithIndex wb = new WriteBatchWithIndex(true)) {
      Entry entry = new Entry(wb, term, index, applied.revision(), EntryBudget.of(batch.getBounds(), maxRangeLimit));
      clock = Math.max(clock, batch.getClockMillis());
      BatchResult.Builder results = BatchResult.newBuilder();
      boolean hashPoint = false;
      for (Command command : batch.getCommandsList()) {
        CommandResult result = entry.applyOnce(command);
        hashPoint |= result.hasHashPoint();
        results.addResults(result);
      }
      sessions.expire(entry.meta, wb, clock);
      wb.put(store.meta(), MetaKeys.APPLIED, appliedBytes(term, index));
      wb.put(store.meta(), MetaKeys.REVISION, MetaKeys.fromLong(entry.revision));
      wb.put(store.meta(), MetaKeys.CLOCK, MetaKeys.fromLong(clock));
      long oldest = oldestHistory;
      long keepFrom = Math.max(1, entry.revision - historyRevisions + 1);
      // Drop old history in steps of a tenth of the retention, not at every entry.
      boolean trim = keepFrom - oldest >= Math.max(1, historyRevisions / 10);
      if (trim) {
        wb.put(store.meta(), MetaKeys.OLDEST_HISTORY, MetaKeys.fromLong(keepFrom));
      }
      store.db().write(writeOptions, wb);
      applied = new AppliedState(term, index, entry.revision);
      if (trim) {
        // A crash before this range delete leaves events below the mark: unread, and deleted next time.
        oldestHistory = keepFrom;
        store.db().deleteRange(store.history(), History.key(0, 0), History.key(keepFrom, 0));
      }
      return new Outcome(results.build(), hashPoint);
    } catch (RocksDBException e) {
      forgetCaches();
      throw new IllegalStateException("applying entry " + index + " to RocksDB failed", e);
    } catch (RuntimeException e) {
      forgetCaches();
      throw e;
    }
  }

  /** After a failed apply: what the caches learnt from the entry may not be in the database. */
  private void forgetCaches() {
    keyVersions.clear();
    sessions.forget();
  }

  /**
   * Records {@code term}/{@code index} as applied when entries without state changes
   * (configuration, no-op) moved past the last applied one, so that a snapshot's meta names
   * exactly the index it is taken at.
   */
  void advanceTo(long term, long index) {
    if (index <= applied.index()) {
      return;
    }
    try {
      store.db().put(store.meta(), writeOptions, MetaKeys.APPLIED, appliedBytes(term, index));
    } catch (RocksDBException e) {
      throw new IllegalStateException("recording applied index " + index + " failed", e);
    }
    applied = new AppliedState(term, index, applied.revision());
  }

  private static byte[] appliedBytes(long term, long index) {
    return ByteBuffer.allocate(16).putLong(term).putLong(index).array();
  }

  private AppliedState readApplied() {
    byte[] a = get(MetaKeys.APPLIED);
    if (a == null) {
      return AppliedState.EMPTY;
    }
    ByteBuffer b = ByteBuffer.wrap(a);
    return new AppliedState(b.getLong(), b.getLong(), MetaKeys.toLong(get(MetaKeys.REVISION)));
  }

  private byte[] get(byte[] metaKey) {
    try {
      return store.db().get(store.meta(), metaKey);
    } catch (RocksDBException e) {
      throw new IllegalStateException("reading meta failed", e);
    }
  }

  /** The application of one log entry. */
  private final class Entry {
    final WriteBatchWithIndex wb;
    final KvView kv;
    final KvView meta;
    final long term;
    final long index;
    final EntryBudget budget;
    long revision;
    /** Inside a transaction every write shares one revision. */
    boolean inTxn;
    boolean txnWrote;
    /** Events recorded at the current revision (a transaction records several). */
    long eventRevision;
    int eventNumber;
    /** Set once a write was deferred: every later write of the entry is deferred too, so they keep their order. */
    boolean deferring;

    Entry(WriteBatchWithIndex wb, long term, long index, long revision, EntryBudget budget) {
      this.wb = wb;
      this.kv = new KvView(store.db(), store.kv(), wb, readOptions);
      this.meta = new KvView(store.db(), store.meta(), wb, readOptions);
      this.term = term;
      this.index = index;
      this.revision = revision;
      this.budget = budget;
    }

    CommandResult applyOnce(Command command) throws RocksDBException {
      if (deferring) {
        return DEFERRED;
      }
      budget.begin();
      WriteId id = WriteIdentity.of(command);
      if (id == null || id.getClientId().isEmpty()) {
        return bounded(command);
      }
      CommandResult earlier = sessions.lookup(meta, id);
      if (earlier != null) {
        return answerAgain(earlier);
      }
      CommandResult result = bounded(command);
      if (result != DEFERRED) {
        sessions.record(meta, wb, id, result, clock);
      }
      return result;
    }

    /** Runs the write within the entry's budget; past it, undoes all it did (nothing is recorded). */
    private CommandResult bounded(Command command) throws RocksDBException {
      long revisionBefore = revision;
      long eventRevisionBefore = eventRevision;
      int eventNumberBefore = eventNumber;
      wb.setSavePoint();
      try {
        CommandResult result = execute(command);
        budget.answer(result.getSerializedSize());
        wb.popSavePoint();
        return result;
      } catch (EntryBudget.Exceeded e) {
        wb.rollbackToSavePoint();
        revision = revisionBefore;
        eventRevision = eventRevisionBefore;
        eventNumber = eventNumberBefore;
        // It holds versions of the writes just undone.
        keyVersions.clear();
        budget.undo();
        if (budget.alone()) {
          return CommandResult.newBuilder().setFailure(Failure.newBuilder()
              .setCode(Failure.Code.TOO_LARGE).setMessage(e.getMessage())).build();
        }
        deferring = true;
        return DEFERRED;
      }
    }

    /** A stored answer counts like a new one. */
    private CommandResult answerAgain(CommandResult earlier) {
      try {
        budget.answer(earlier.getSerializedSize());
        return earlier;
      } catch (EntryBudget.Exceeded e) {
        // Alone, it is answered as first (under its own entry's bounds) and ends this entry.
        boolean alone = budget.alone();
        deferring = true;
        return alone ? earlier : DEFERRED;
      }
    }

    private CommandResult execute(Command command) throws RocksDBException {
      CommandResult.Builder r = CommandResult.newBuilder();
      switch (command.getOpCase()) {
        case PUT -> r.setPut(put(command.getPut()));
        case DELETE -> r.setDelete(delete(command.getDelete()));
        case DELETE_RANGE -> r.setDeleteRange(deleteRange(command.getDeleteRange()));
        case TXN -> r.setTxn(txn(command.getTxn()));
        case HASH_POINT -> r.setHashPoint(HashPointResponse.newBuilder().setIndex(index));
        case SET_MEMBER -> {
          wb.put(store.meta(), MetaKeys.member(command.getSetMember().getId()), command.getSetMember().toByteArray());
          r.setMemberIndex(index);
        }
        case FORGET_MEMBER -> {
          wb.delete(store.meta(), MetaKeys.member(command.getForgetMember()));
          r.setMemberIndex(index);
        }
        default -> r.setFailure(Failure.newBuilder().setCode(Failure.Code.INVALID_ARGUMENT)
            .setMessage("unknown command " + command.getOpCase()));
      }
      return r.build();
    }

    private ResponseHeader header() {
      return ResponseHeader.newBuilder()
          .setRevision(revision).setRaftTerm(term).setRaftIndex(index).setMemberId(memberId).build();
    }

    private long writeRevision() {
      if (!inTxn) {
        return ++revision;
      }
      if (!txnWrote) {
        txnWrote = true;
        revision++;
      }
      return revision;
    }

    /** A key's previous state: its version always, its value only when the answer returns it. */
    private record Previous(Version version, StoredValue value) {}

    private Previous previous(ByteString key, byte[] raw, boolean withValue) {
      Version known = withValue ? null : keyVersions.get(key);
      if (known != null) {
        return new Previous(known, null);
      }
      StoredValue stored = kv.get(raw);
      Version read = Version.of(stored);
      keyVersions.put(key, read);
      return new Previous(read, stored);
    }

    private PutResponse put(PutRequest req) throws RocksDBException {
      byte[] key = req.getKey().toByteArray();
      Previous prev = previous(req.getKey(), key, req.getPrevKv());
      budget.changeKeys(1);
      long rev = writeRevision();
      StoredValue next = prev.version().absent()
          ? new StoredValue(rev, rev, 1, req.getValue().toByteArray())
          : new StoredValue(prev.version().createRevision(), rev, prev.version().version() + 1,
              req.getValue().toByteArray());
      wb.put(store.kv(), key, next.encode());
      keyVersions.put(req.getKey(), Version.of(next));
      record(Event.Type.PUT, next.toKeyValue(key, false));
      PutResponse.Builder out = PutResponse.newBuilder().setHeader(header());
      if (req.getPrevKv() && prev.value() != null) {
        out.setPrevKv(prev.value().toKeyValue(key, false));
      }
      return out.build();
    }

    private DeleteResponse delete(DeleteRequest req) throws RocksDBException {
      byte[] key = req.getKey().toByteArray();
      Previous prev = previous(req.getKey(), key, req.getPrevKv());
      DeleteResponse.Builder out = DeleteResponse.newBuilder();
      if (!prev.version().absent()) {
        budget.changeKeys(1);
        long rev = writeRevision();
        wb.delete(store.kv(), key);
        keyVersions.put(req.getKey(), Version.ABSENT);
        record(Event.Type.DELETE, deleted(key, rev));
        out.setDeleted(1);
        if (req.getPrevKv() && prev.value() != null) {
          out.setPrevKv(prev.value().toKeyValue(key, false));
        }
      }
      return out.setHeader(header()).build();
    }

    /** Deletes chunk by chunk, each counted against the budget before it goes into the batch. */
    private DeleteRangeResponse deleteRange(DeleteRangeRequest req) throws RocksDBException {
      KeyRange range = KeyRange.of(req.getStart(), req.getEnd(), req.getPrefix());
      long deleted = 0;
      long rev = revision;
      byte[] from = range.from();
      List<byte[]> keys;
      do {
        keys = kv.keys(range, from, DELETE_CHUNK);
        if (keys.isEmpty()) {
          break;
        }
        budget.changeKeys(keys.size());
        if (deleted == 0) {
          rev = writeRevision();
        }
        for (byte[] key : keys) {
          wb.delete(store.kv(), key);
          keyVersions.put(UnsafeByteOperations.unsafeWrap(key), Version.ABSENT);
          record(Event.Type.DELETE, deleted(key, rev));
        }
        deleted += keys.size();
        from = KeyRange.successor(keys.get(keys.size() - 1));
      } while (keys.size() == DELETE_CHUNK);
      return DeleteRangeResponse.newBuilder().setHeader(header()).setDeleted(deleted).build();
    }

    /** Appends the change to the history, numbered within its revision. */
    private void record(Event.Type type, KeyValue kv) throws RocksDBException {
      if (historyRevisions == 0) {
        return;
      }
      if (kv.getModRevision() != eventRevision) {
        eventRevision = kv.getModRevision();
        eventNumber = 0;
      }
      byte[] value = Event.newBuilder().setType(type).setKv(kv).build().toByteArray();
      wb.put(store.history(), History.key(eventRevision, eventNumber++), value);
    }

    private static KeyValue deleted(byte[] key, long revision) {
      return KeyValue.newBuilder().setKey(ByteString.copyFrom(key)).setModRevision(revision).build();
    }

    private TxnResponse txn(TxnRequest req) throws RocksDBException {
      boolean succeeded = req.getComparesList().stream().allMatch(this::holds);
      inTxn = true;
      txnWrote = false;
      try {
        TxnResponse.Builder out = TxnResponse.newBuilder().setSucceeded(succeeded);
        long answered = 0;
        for (TxnOp op : succeeded ? req.getSuccessList() : req.getFailureList()) {
          TxnOpResult result = txnOp(op, answered);
          // Checked as it grows: an answer past the budget is refused before it is all built.
          answered += result.getSerializedSize();
          budget.answer(answered);
          out.addResults(result);
        }
        return out.setHeader(header()).build();
      } finally {
        inTxn = false;
      }
    }

    /** One operation of a transaction whose earlier operations answered {@code answered} bytes. */
    private TxnOpResult txnOp(TxnOp op, long answered) throws RocksDBException {
      TxnOpResult.Builder r = TxnOpResult.newBuilder();
      switch (op.getOpCase()) {
        case GET -> r.setGet(get(op.getGet()));
        case RANGE -> r.setRange(range(op.getRange(), budget.answerBytesLeft() - answered));
        case PUT -> r.setPut(put(op.getPut()));
        case DELETE -> r.setDelete(delete(op.getDelete()));
        case DELETE_RANGE -> r.setDeleteRange(deleteRange(op.getDeleteRange()));
        default -> { }
      }
      return r.build();
    }

    private GetResponse get(GetRequest req) {
      byte[] key = req.getKey().toByteArray();
      StoredValue v = kv.get(key);
      GetResponse.Builder out = GetResponse.newBuilder().setHeader(header()).setFound(v != null);
      if (v != null) {
        out.setKv(v.toKeyValue(key, false));
      }
      return out.build();
    }

    private io.rocksraft.api.v1.RangeResponse range(RangeRequest req, long maxBytes) {
      KeyRange range = KeyRange.of(req.getStart(), req.getEnd(), req.getPrefix());
      return kv.range(range, Queries.effectiveLimit(req.getLimit(), budget.rangeLimit()), req.getKeysOnly(), maxBytes)
          .setHeader(header()).build();
    }

    private boolean holds(Compare c) {
      StoredValue v = kv.get(c.getKey().toByteArray());
      if (c.getTarget() == Compare.Target.VALUE) {
        if (v == null || c.getOperandCase() != Compare.OperandCase.VALUE) {
          return false;
        }
        return test(Arrays.compareUnsigned(v.value(), c.getValue().toByteArray()), c.getResult());
      }
      long actual = v == null ? 0 : switch (c.getTarget()) {
        case VERSION -> v.version();
        case MOD_REVISION -> v.modRevision();
        case CREATE_REVISION -> v.createRevision();
        default -> 0;
      };
      return test(Long.compare(actual, c.getNumber()), c.getResult());
    }

    private static boolean test(int cmp, Compare.Result result) {
      return switch (result) {
        case EQUAL -> cmp == 0;
        case NOT_EQUAL -> cmp != 0;
        case GREATER -> cmp > 0;
        case LESS -> cmp < 0;
        default -> false;
      };
    }
  }

  /** Frees the native options; the store itself is not the applier's to close. */
  @Override
  public void close() {
    writeOptions.close();
    readOptions.close();
  }
}
