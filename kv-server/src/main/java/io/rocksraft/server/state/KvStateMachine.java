package io.rocksraft.server.state;

import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.Member;
import io.rocksraft.raftlog.LogDataApi;
import io.rocksraft.raftlog.LogStore;
import io.rocksraft.raftlog.RocksMemory;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.internal.Query;
import io.rocksraft.server.internal.QueryResult;
import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated key-value state machine. Log entries carry a {@code LogBatch} as their
 * state-machine data (kept by raft-log in RocksDB); applying one writes the {@code kv} and
 * {@code meta} column families in a single batch. Entries at or below the persisted applied
 * index are skipped, so re-delivery after a restart is harmless.
 *
 * <p>Snapshots are checkpoints of the state database ({@link SnapshotStore}). Ratis calls
 * {@link #takeSnapshot} and {@link #reinitialize} on the thread that applies entries, so
 * neither races an apply: a checkpoint holds exactly the applied state, and an installed
 * snapshot replaces the database between two entries.
 */
public final class KvStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
  private static final int HASHES_KEPT = 16;

  /** Time to apply one log entry (one coalesced batch of writes) to RocksDB. */
  public static final String APPLY_TIMER = "rocksraft.state.apply";
  /** Time to take one snapshot (checkpoint, checksums, manifest). */
  public static final String SNAPSHOT_TIMER = "rocksraft.snapshot.take";
  public static final String SNAPSHOT_LAST_INDEX = "rocksraft.snapshot.last_index";
  public static final String SNAPSHOT_LAST_AGE = "rocksraft.snapshot.last_age_seconds";
  /** Snapshots received from the leader and installed in place of the state database. */
  public static final String SNAPSHOTS_INSTALLED = "rocksraft.snapshot.installed";
  /** Bytes of the snapshots received from the leader. */
  public static final String SNAPSHOT_RECEIVED_BYTES = "rocksraft.snapshot.install_received_bytes";
  /** Snapshots fetched from the object-storage tier and installed (the leader sent nothing). */
  public static final String SNAPSHOTS_FROM_TIER = "rocksraft.snapshot.installed_from_tier";

  private final Path dbDir;
  private final RocksMemory memory;
  private final CurrentStore store;
  private final LogDataApi dataApi;
  private final SnapshotStore snapshots;
  private final SnapshotTransfer transfer;
  /** Set while a snapshot fetched from the tier waits for Ratis to reload it. */
  private volatile boolean fetchedFromTier;
  private final String memberId;
  private final int maxRangeLimit;
  private final long historyRevisions;
  private final long keyCacheBytes;
  /** Replaced with the database when a snapshot is installed (on the apply thread). */
  private volatile Applier applier;
  /** The last index Ratis handed this machine; below the applied index while it replays after a restart. */
  private volatile long delivered;
  /** The leader Ratis last named to this member ("" before the first), for read answers. */
  private volatile String leaderId = "";
  private final Queries queries;
  private final AppliedIndexWaiters waiters = new AppliedIndexWaiters();
  private final History history;
  private final LeaderClock leaderClock = new LeaderClock(() -> applier.clock(), System::nanoTime);
  /** Told after every entry that changed the revision (watches wait on it). */
  private final List<Runnable> revisionListeners = new CopyOnWriteArrayList<>();
  private final Timer applyTimer;
  private final Timer snapshotTimer;
  private final Counter snapshotsInstalled;
  private final Counter snapshotReceivedBytes;
  private final Counter snapshotsFromTier;
  private final ExecutorService hasher;
  /** Fetches snapshots from the tier: a download must not hold up Ratis' threads. */
  private final ExecutorService fetcher;
  private final SnapshotCatchUp catchUp;
  /** Serves this node's snapshots to a follower that copies them (and copies the leader's here). */
  private final LeaderSnapshotCopy leaderCopy;
  private final Map<Long, CompletableFuture<HashResponse>> hashes = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, CompletableFuture<HashResponse>> eldest) {
      return size() > HASHES_KEPT;
    }
  };

  /**
   * Opens the state database in {@code dbDir} (finishing a snapshot install a crash
   * interrupted); {@code log} holds the entries' payloads, {@code snapshots} the checkpoints,
   * which {@code transfer} ships to the bucket and {@code leaderCopy} to a follower that asks.
   */
  public KvStateMachine(Path dbDir, RocksMemory memory, LogStore log, SnapshotStore snapshots, SnapshotTransfer transfer,
                        LeaderSnapshotCopy leaderCopy, String memberId, int maxRangeLimit, long historyRevisions,
                        long keyCacheBytes, MetricRegistry metrics)
      throws IOException {
    this.dbDir = dbDir;
    this.transfer = transfer;
    this.memory = memory;
    this.snapshots = snapshots;
    this.memberId = memberId;
    this.maxRangeLimit = maxRangeLimit;
    this.historyRevisions = historyRevisions;
    this.keyCacheBytes = keyCacheBytes;
    DbSwap.recover(dbDir, snapshots.syncer());
    StateStore opened = new StateStore(dbDir, memory);
    this.store = new CurrentStore(opened);
    this.applier = new Applier(opened, memberId, maxRangeLimit, historyRevisions, keyCacheBytes);
    this.dataApi = new LogDataApi(log);
    this.history = new History(store, () -> applier.oldestHistory());
    this.queries = new Queries(store, memberId, maxRangeLimit, this::applied, () -> leaderId);
    this.applyTimer = metrics.timer(APPLY_TIMER);
    this.snapshotTimer = metrics.timer(SNAPSHOT_TIMER);
    this.snapshotsInstalled = metrics.counter(SNAPSHOTS_INSTALLED);
    this.snapshotReceivedBytes = metrics.counter(SNAPSHOT_RECEIVED_BYTES);
    this.snapshotsFromTier = metrics.counter(SNAPSHOTS_FROM_TIER);
    metrics.registerGauge(SNAPSHOT_LAST_INDEX, () -> snapshots.latest().map(SnapshotStore.Local::index).orElse(0L));
    metrics.registerGauge(SNAPSHOT_LAST_AGE, () -> snapshots.latest()
        .map(l -> (System.currentTimeMillis() - l.manifest().createdAtMillis()) / 1000).orElse(null));
    this.hasher = singleDaemonThread(memberId + "-state-hash");
    this.fetcher = singleDaemonThread(memberId + "-snapshot-fetch");
    this.leaderCopy = leaderCopy;
    this.catchUp = new SnapshotCatchUp(transfer, leaderCopy, snapshots, memberId);
    waiters.advance(applier.applied().index());
  }

  private static ExecutorService singleDaemonThread(String name) {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    getLifeCycle().transition(LifeCycle.State.STARTING);
    snapshots.init(raftStorage);
    SnapshotStore.Local latest = snapshots.latest().orElse(null);
    if (latest != null && latest.index() > applier.applied().index()) {
      // A snapshot received before a crash that did not reach the database yet.
      LOG.info("[{}] the state database is at index {}, behind snapshot {}: installing it", memberId,
          applier.applied().index(), latest.dir().getFileName());
      install(latest);
    }
    // Ratis replays the log from the latest snapshot on.
    delivered = latest == null ? 0 : latest.index();
    AppliedState applied = applier.applied();
    if (applied.index() > 0) {
      updateLastAppliedTermIndex(applied.term(), applied.index());
    }
    getLifeCycle().transition(LifeCycle.State.RUNNING);
    LOG.info("[{}] state machine at term {} index {} revision {}", memberId, applied.term(), applied.index(),
        applied.revision());
  }

  @Override
  public DataApi data() {
    return dataApi;
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  public SnapshotStore snapshots() {
    return snapshots;
  }

  public AppliedState applied() {
    return applier.applied();
  }

  /** The state database in use (it changes when a snapshot is installed), for statistics; null once closed. */
  public StateStore store() {
    return store.get();
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) {
    // The payload travels as state-machine data; Ratis' segment keeps only the header. Only
    // the leader starts transactions: it stamps the session clock here.
    return TransactionContext.newBuilder()
        .setStateMachine(this)
        .setClientRequest(request)
        .setStateMachineData(leaderClock.stamp(request.getMessage().getContent()))
        .setLogData(ByteString.EMPTY)
        .build();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    delivered = index;
    Applier current = applier;
    if (index <= current.applied().index()) {
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
    long revisionBefore = current.applied().revision();
    Applier.Outcome outcome;
    try (Timer.Context timed = applyTimer.time()) {
      outcome = current.apply(payloadOf(entry), entry.getTerm(), index);
    }
    if (outcome.hashPoint()) {
      startHash(index);
    }
    updateLastAppliedTermIndex(entry.getTerm(), index);
    waiters.advance(index);
    if (current.applied().revision() != revisionBefore) {
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
    delivered = index;
    // Configuration and no-op entries: never move backwards past what RocksDB already holds.
    if (index > getLastAppliedTermIndex().getIndex()) {
      updateLastAppliedTermIndex(term, index);
    }
    waiters.advance(index);
  }

  /**
   * Checkpoints the state database at the last applied index. Runs on the apply thread after
   * every applied entry's future completed (ours complete before they are returned), so the
   * database holds exactly that state.
   */
  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    if (delivered < last.getIndex()) {
      // Replaying after a restart: Ratis' applied index is below the database's, and a
      // snapshot may not claim more than Ratis applied. The next trigger takes it.
      LOG.info("[{}] no snapshot while replaying the log ({} of {})", memberId, delivered, last.getIndex());
      return RaftLog.INVALID_LOG_INDEX;
    }
    SnapshotStore.Local previous = snapshots.latest().orElse(null);
    if (previous != null && previous.index() >= last.getIndex()) {
      return previous.index();
    }
    try (Timer.Context timed = snapshotTimer.time()) {
      Applier current = applier;
      current.advanceTo(last.getTerm(), last.getIndex());
      AppliedState state = current.applied();
      SnapshotStore.Local taken = snapshots.take(store.get().db(), state.term(), state.index(), state.revision());
      LOG.info("[{}] snapshot {} taken: {} files, {} bytes", memberId, taken.dir().getFileName(),
          taken.manifest().files().size(), taken.manifest().totalBytes());
      transfer.taken(taken);
      return taken.index();
    }
  }

  @Override
  public synchronized void pause() {
    // Ratis pauses before it writes a received snapshot; the old state keeps serving reads, and
    // the store forces the snapshot once Ratis has put it in place.
    snapshots.receiving(true);
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  /**
   * Loads the snapshot Ratis just received from the leader into the snapshot directory:
   * replaces the state database by its checkpoint. Ratis then sets its applied index to the
   * snapshot's and applies the entries after it.
   */
  @Override
  public synchronized void reinitialize() throws IOException {
    SnapshotStore.Local received = snapshots.reload()
        .orElseThrow(() -> new IOException("reinitialize: no snapshot in " + snapshots.root()));
    boolean fromTier = fetchedFromTier;
    fetchedFromTier = false;
    if (received.index() > applier.applied().index()) {
      install(received);
      if (fromTier) {
        snapshotsFromTier.inc();
      } else {
        snapshotsInstalled.inc();
        snapshotReceivedBytes.inc(received.manifest().totalBytes());
      }
    } else {
      LOG.info("[{}] snapshot {} is not ahead of the state database (index {}); kept the database", memberId,
          received.dir().getFileName(), applier.applied().index());
    }
    delivered = received.index();
    if (received.index() > getLastAppliedTermIndex().getIndex()) {
      updateLastAppliedTermIndex(received.term(), received.index());
    }
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  /**
   * With the tier on the leader does not send snapshots: it tells a follower that needs one (it
   * lacks entries the leader purged, or it is joining), and {@link SnapshotCatchUp} finds the
   * state. A snapshot found is installed by {@link #reinitialize}, which Ratis calls after pausing
   * this machine; when the leader's log is enough, the answer is null and Ratis has the leader
   * send its log instead.
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto roleInfo,
                                                                      TermIndex firstTermIndexInLog) {
    long leaderLogStart = firstTermIndexInLog.getIndex();
    LOG.info("[{}] the leader's log starts at {}: told to install a snapshot", memberId, leaderLogStart);
    return CompletableFuture.supplyAsync(() -> {
      try {
        SnapshotCatchUp.Plan plan = catchUp.catchUp(leaderOf(roleInfo), leaderLogStart, ownNextIndex());
        if (plan.snapshot().isEmpty()) {
          return null;
        }
        fetchedFromTier = plan.source() == SnapshotCatchUp.Source.BUCKET;
        SnapshotStore.Local fetched = plan.snapshot().get();
        return TermIndex.valueOf(fetched.term(), fetched.index());
      } catch (IOException e) {
        LOG.warn("[{}] no snapshot to install (the leader asks again): {}", memberId, e.getMessage());
        throw new CompletionException(e);
      }
    }, fetcher);
  }

  /** The leader as the notification names it, or null when it names none. */
  private static RaftPeer leaderOf(RoleInfoProto roleInfo) {
    if (!roleInfo.hasFollowerInfo() || !roleInfo.getFollowerInfo().hasLeaderInfo()) {
      return null;
    }
    RaftPeerProto leader = roleInfo.getFollowerInfo().getLeaderInfo().getId();
    return RaftPeer.newBuilder().setId(RaftPeerId.valueOf(leader.getId())).setAddress(leader.getAddress()).build();
  }

  /** The index this member's Raft log goes on at (after its last entry, or its snapshot). */
  private long ownNextIndex() throws IOException {
    return getServer().join().getDivision(getGroupId()).getRaftLog().getNextIndex();
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    leaderId = newLeaderId == null ? "" : newLeaderId.toString();
    if (groupMemberId.getPeerId().equals(newLeaderId)) {
      leaderClock.lead();
      // A leader receives no snapshot, and its log appenders ask for the latest one at every send.
      snapshots.receiving(false);
      transfer.leading();
    }
  }

  /** Replaces the state database by the snapshot's checkpoint; on the apply thread (or before it runs). */
  private void install(SnapshotStore.Local snapshot) throws IOException {
    snapshot.manifest().verify(snapshot.dir());
    awaitHashes();
    DbSwap.prepare(snapshot.dir(), dbDir, snapshot.manifest().files().stream()
        .map(SnapshotManifest.FileEntry::name).toList(), snapshots.syncer());
    Applier before = applier;
    store.replace(() -> {
      DbSwap.commit(dbDir, snapshots.syncer());
      StateStore opened = new StateStore(dbDir, memory);
      // Inside the swap: a reader never sees the new database with the old applier's bounds.
      applier = new Applier(opened, memberId, maxRangeLimit, historyRevisions, keyCacheBytes);
      return opened;
    });
    before.close();
    AppliedState applied = applier.applied();
    if (applied.index() != snapshot.index()) {
      LOG.warn("[{}] snapshot {} holds applied index {}, its manifest says {}", memberId,
          snapshot.dir().getFileName(), applied.index(), snapshot.index());
    }
    LOG.info("[{}] installed snapshot {}: term {} index {} revision {}", memberId, snapshot.dir().getFileName(),
        applied.term(), applied.index(), applied.revision());
    waiters.advance(applied.index());
    revisionListeners.forEach(Runnable::run);
  }

  /** Lets every started hash finish: each holds a RocksDB snapshot of the current database. */
  private void awaitHashes() throws IOException {
    try {
      hasher.submit(() -> { }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for state hashes", e);
    } catch (ExecutionException e) {
      throw new IOException(e);
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      Query query = Query.parseFrom(request.getContent().asReadOnlyByteBuffer());
      QueryResult result = LeaderSnapshotCopy.isSnapshotQuery(query) ? leaderCopy.answer(query)
          : queries.execute(query);
      return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(result.toByteArray())));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The member addresses recorded through the log by member add, by id. */
  public Map<String, Member> memberAddresses() {
    return store.read(s -> {
      Map<String, Member> out = new TreeMap<>();
      try (RocksIterator it = s.db().newIterator(s.meta())) {
        for (it.seek(new byte[] {MetaKeys.MEMBER}); it.isValid() && it.key()[0] == MetaKeys.MEMBER; it.next()) {
          Member m = Member.parseFrom(it.value());
          out.put(m.getId(), m);
        }
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("a member record in meta is not a Member", e);
      }
      return out;
    });
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
    StateStore current = store.get();
    // The snapshot is taken on the apply thread, so it holds exactly the state at index.
    var snapshot = current.db().getSnapshot();
    CompletableFuture<HashResponse> f = CompletableFuture.supplyAsync(() -> store.read(s -> {
      // An install waits for this task before it replaces the database, so s is current.
      HashResponse h = StateHasher.hash(s, snapshot, memberId, index, state.revision());
      try {
        s.db().put(s.meta(), MetaKeys.hash(index), h.toByteArray());
      } catch (RocksDBException e) {
        LOG.warn("[{}] could not persist the state hash at {}: {}", memberId, index, e.getMessage());
      }
      return h;
    }), hasher);
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
      return store.read(s -> {
        try {
          byte[] stored = s.db().get(s.meta(), MetaKeys.hash(index));
          if (stored != null) {
            return CompletableFuture.completedFuture(HashResponse.parseFrom(stored));
          }
        } catch (RocksDBException | InvalidProtocolBufferException e) {
          return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.failedFuture(new KvException(ErrorKind.FAILED_PRECONDITION,
            "no hash point at index " + index + " on " + memberId));
      });
    });
  }

  /** Closes the state database; idempotent (the node calls it again after Ratis did). */
  @Override
  public void close() throws IOException {
    hasher.shutdownNow();
    fetcher.shutdownNow();
    store.close();
    super.close();
  }
}
