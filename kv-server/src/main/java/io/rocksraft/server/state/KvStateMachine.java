package io.rocksraft.server.state;

import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.Member;
import io.rocksraft.raftlog.LogDataApi;
import io.rocksraft.raftlog.LogStore;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.internal.Query;
import io.rocksraft.server.internal.QueryResult;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated key-value state machine. Log entries carry a {@code LogBatch} as their
 * state-machine data (kept by raft-log in RocksDB); applying one writes the {@code kv} and
 * {@code meta} column families in a single batch. Entries at or below the persisted applied
 * index are skipped, so re-delivery after a restart is harmless.
 */
public final class KvStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
  private static final int HASHES_KEPT = 16;

  private final StateStore store;
  private final LogDataApi dataApi;
  private final Applier applier;
  private final Queries queries;
  private final String memberId;
  private final AppliedIndexWaiters waiters = new AppliedIndexWaiters();
  private final History history;
  /** Told after every entry that changed the revision (watches wait on it). */
  private final List<Runnable> revisionListeners = new CopyOnWriteArrayList<>();
  private final Timer applyTimer;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final ExecutorService hasher;
  private final Map<Long, CompletableFuture<HashResponse>> hashes = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, CompletableFuture<HashResponse>> eldest) {
      return size() > HASHES_KEPT;
    }
  };

  /** Time to apply one log entry (one coalesced batch of writes) to RocksDB. */
  public static final String APPLY_TIMER = "rocksraft.state.apply";

  public KvStateMachine(StateStore store, String memberId, int maxRangeLimit, long historyRevisions,
                        MetricRegistry metrics) {
    this.store = store;
    this.applyTimer = metrics.timer(APPLY_TIMER);
    this.memberId = memberId;
    this.dataApi = new LogDataApi(new LogStore(store.db(), store.raftLog(), memberId));
    this.applier = new Applier(store, memberId, maxRangeLimit, historyRevisions);
    this.history = new History(store, applier::oldestHistory);
    this.queries = new Queries(store, memberId, maxRangeLimit, applier::applied);
    this.hasher = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, memberId + "-state-hash");
      t.setDaemon(true);
      return t;
    });
    waiters.advance(applier.applied().index());
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    AppliedState applied = applier.applied();
    if (applied.index() > 0) {
      updateLastAppliedTermIndex(applied.term(), applied.index());
    }
    LOG.info("[{}] state machine at term {} index {} revision {}", memberId, applied.term(), applied.index(),
        applied.revision());
  }

  @Override
  public DataApi data() {
    return dataApi;
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  public AppliedState applied() {
    return applier.applied();
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) {
    // The payload travels as state-machine data; Ratis' segment keeps only the header.
    return TransactionContext.newBuilder()
        .setStateMachine(this)
        .setClientRequest(request)
        .setStateMachineData(request.getMessage().getContent())
        .setLogData(ByteString.EMPTY)
        .build();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    if (index <= applier.applied().index()) {
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
    long revisionBefore = applier.applied().revision();
    Applier.Outcome outcome;
    try (Timer.Context timed = applyTimer.time()) {
      outcome = applier.apply(payloadOf(entry), entry.getTerm(), index);
    }
    if (outcome.hashPoint()) {
      startHash(index);
    }
    updateLastAppliedTermIndex(entry.getTerm(), index);
    waiters.advance(index);
    if (applier.applied().revision() != revisionBefore) {
      revisionListeners.forEach(Runnable::run);
    }
    return CompletableFuture.completedFuture(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(outcome.result().toByteArray())));
  }

  private byte[] payloadOf(LogEntryProto entry) {
    ByteString inEntry = LogDataApi.payloadOf(entry);
    if (!inEntry.isEmpty()) {
      return inEntry.toByteArray();
    }
    try {
      // Ratis' cache drops payloads; raft_log has them.
      return dataApi.store().read(entry.getIndex()).orElseThrow(() -> new IllegalStateException(
          "no payload in raft_log for committed entry " + entry.getIndex()));
    } catch (IOException e) {
      throw new IllegalStateException("reading payload of entry " + entry.getIndex(), e);
    }
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    // Configuration and no-op entries: never move backwards past what RocksDB already holds.
    if (index > getLastAppliedTermIndex().getIndex()) {
      updateLastAppliedTermIndex(term, index);
    }
    waiters.advance(index);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      QueryResult result = queries.execute(Query.parseFrom(request.getContent().asReadOnlyByteBuffer()));
      return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(result.toByteArray())));
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The member addresses recorded through the log by member add, by id. */
  public Map<String, Member> memberAddresses() {
    Map<String, Member> out = new TreeMap<>();
    try (RocksIterator it = store.db().newIterator(store.meta())) {
      for (it.seek(new byte[] {MetaKeys.MEMBER}); it.isValid() && it.key()[0] == MetaKeys.MEMBER; it.next()) {
        Member m = Member.parseFrom(it.value());
        out.put(m.getId(), m);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a member record in meta is not a Member", e);
    }
    return out;
  }

  /** The change history watches read. */
  public History history() {
    return history;
  }

  /** Calls {@code listener} (on the apply thread: it must not block) after each new revision. */
  public AutoCloseable onNewRevision(Runnable listener) {
    revisionListeners.add(listener);
    return () -> revisionListeners.remove(listener);
  }

  /** A read of this replica's state once it has applied at least {@code minIndex}. */
  public CompletableFuture<QueryResult> localRead(Query query, long minIndex) {
    return waiters.await(minIndex).thenApply(v -> queries.execute(query));
  }

  /** Completes when this replica has applied {@code index}. */
  public CompletableFuture<Void> awaitApplied(long index) {
    return waiters.await(index);
  }

  private void startHash(long index) {
    AppliedState state = applier.applied();
    // The snapshot is taken on the apply thread, so it holds exactly the state at index.
    var snapshot = store.db().getSnapshot();
    CompletableFuture<HashResponse> f = CompletableFuture.supplyAsync(() -> {
      HashResponse h = StateHasher.hash(store, snapshot, memberId, index, state.revision());
      try {
        store.db().put(store.meta(), MetaKeys.hash(index), h.toByteArray());
      } catch (RocksDBException e) {
        LOG.warn("[{}] could not persist the state hash at {}: {}", memberId, index, e.getMessage());
      }
      return h;
    }, hasher);
    synchronized (hashes) {
      hashes.put(index, f);
    }
  }

  /** This replica's state hash at a hash point, once it has applied it. */
  public CompletableFuture<HashResponse> hashAt(long index) {
    return waiters.await(index).thenCompose(v -> {
      CompletableFuture<HashResponse> f;
      synchronized (hashes) {
        f = hashes.get(index);
      }
      if (f != null) {
        return f;
      }
      try {
        byte[] stored = store.db().get(store.meta(), MetaKeys.hash(index));
        if (stored != null) {
          return CompletableFuture.completedFuture(HashResponse.parseFrom(stored));
        }
      } catch (RocksDBException | InvalidProtocolBufferException e) {
        return CompletableFuture.failedFuture(e);
      }
      return CompletableFuture.failedFuture(new KvException(ErrorKind.FAILED_PRECONDITION,
          "no hash point at index " + index + " on " + memberId));
    });
  }

  @Override
  public void close() throws IOException {
    hasher.shutdownNow();
    dataApi.store().close();
    super.close();
  }
}
