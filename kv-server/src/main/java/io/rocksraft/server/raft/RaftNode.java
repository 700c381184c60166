package io.rocksraft.server.raft;

import io.rocksraft.api.v1.Consistency;
import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.Member;
import io.rocksraft.api.v1.ReadOptions;
import io.rocksraft.api.v1.SnapshotResponse;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.raftlog.LogDb;
import io.rocksraft.raftlog.LogPurger;
import io.rocksraft.raftlog.RocksDatabase;
import io.rocksraft.raftlog.RocksMemory;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.internal.Bounds;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.Query;
import io.rocksraft.server.internal.QueryResult;
import io.rocksraft.server.state.KvStateMachine;
import io.rocksraft.server.state.LeaderSnapshotCopy;
import io.rocksraft.server.state.SnapshotStore;
import io.rocksraft.server.state.SnapshotTransfer;
import io.rocksraft.server.tier.Tier;
import io.rocksraft.server.tier.TierSnapshotTransfer;
import io.rocksraft.server.state.StateStore;
import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the Raft group: the Ratis server with the {@link KvStateMachine}, and a
 * Ratis client through which this node puts writes into the log (Ratis routes them to the
 * leader, so a follower forwards writes and returns the leader's answer).
 */
public final class RaftNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
  private static final long READ_RETRY_MS = 100;
  /** How often payloads of entries Ratis has purged are dropped from raft_log. */
  private static final Duration LOG_PURGE_PERIOD = Duration.ofSeconds(1);
  /**
   * Ratis' segment size: segments hold only entry headers (the payloads are in raft_log) and
   * Ratis purges whole closed segments, so they are kept small for the log to shrink at each
   * snapshot (some 40,000 headers each).
   */
  private static final SizeInBytes SEGMENT_SIZE = SizeInBytes.valueOf(1L << 20);
  /** The lowest log index whose payload raft_log still holds: it moves up as snapshots purge the log. */
  public static final String RAFT_LOG_FIRST_INDEX = "rocksraft.raft_log.first_index";

  private final NodeConfig config;
  private final RaftPeerId selfId;
  private final RaftGroup group;
  /** The block cache and memtable budget the state and the log databases share. */
  private final RocksMemory memory;
  private final LogDb logDb;
  private final KvStateMachine stateMachine;
  /** The object-storage tier's side of snapshots; null when the tier is off. */
  private final TierSnapshotTransfer transfer;
  private final LogPurger logPurger;
  private final RaftServer server;
  /**
   * Forwards writes from a follower to the leader (Ratis finds it and follows changes).
   * Replaced when it breaks: an ordered Ratis client that gave up on a request closes for good.
   */
  private final AtomicReference<RaftClient> writeClient;
  private final RaftProperties properties;
  /** Ratis' TLS settings for the server and every client this node builds; empty for plain text. */
  private final Parameters parameters;
  /**
   * Requests this node hands its own server in-process (reads, and writes while it leads),
   * with no RPC to itself: each carries this client id and a fresh call id.
   */
  private final ClientId localClientId = ClientId.randomId();
  private final AtomicLong localCallIds = new AtomicLong();
  private final Proposer proposer;
  private final NodeSession session = new NodeSession();
  private final Semaphore readPermits;
  /** Membership and leadership changes: Ratis' admin API blocks. */
  private final ExecutorService adminExecutor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "raft-admin");
    t.setDaemon(true);
    return t;
  });

  /**
   * {@code metrics}: where the Raft and state-machine layers record their timings;
   * {@code peerTls}: mutual TLS between peers, or null for plain text.
   */
  public RaftNode(NodeConfig config, MetricRegistry metrics, GrpcTlsConfig peerTls) throws IOException {
    this.config = config;
    this.selfId = RaftPeerId.valueOf(config.id());
    this.group = RaftGroup.valueOf(groupId(config.cluster()), config.peers().stream().map(RaftNode::peer).toList());
    Path dataDir = config.dataDir();
    this.memory = new RocksMemory(config.blockCacheBytes(), config.writeBufferBytes());
    this.logDb = new LogDb(dataDir.resolve("log"), memory, config.id(), !config.unsafe().skipLogSync());
    SnapshotStore snapshots = new SnapshotStore(dataDir.resolve("snapshots"), dataDir.resolve("snapshot-receive"),
        config.snapshot().retain());
    this.transfer = config.tier().enabled()
        ? new TierSnapshotTransfer(Tier.open(config.tier(), dataDir, metrics), config.cluster(), this::isLeader,
            snapshots::latest, dataDir.resolve("tier-staging"), Duration.ofMillis(config.tier().bucketWaitMs()))
        : null;
    // Over this node's own Ratis clients, so with peer TLS when it is configured.
    LeaderSnapshotCopy leaderCopy = new LeaderSnapshotCopy(snapshots, config.cluster(), this::clientOf);
    this.stateMachine = new KvStateMachine(dataDir.resolve("db"), memory, logDb.store(), snapshots,
        transfer != null ? transfer : SnapshotTransfer.NONE, leaderCopy, config.id(), config.limits().maxRangeLimit(),
        config.watch().historyRevisions(), config.keyCacheBytes(), metrics);
    this.properties = properties(config, dataDir.resolve("raft"));
    this.parameters = new Parameters();
    if (peerTls != null) {
      GrpcConfigKeys.Server.setTlsConf(parameters, peerTls);
      GrpcConfigKeys.Client.setTlsConf(parameters, peerTls);
      GrpcConfigKeys.Admin.setTlsConf(parameters, peerTls);
    }
    this.server = RaftServer.newBuilder()
        .setServerId(selfId)
        // A joining node starts with no configuration and waits for the leader to add it; once it
        // has one, Ratis recovers it from its own storage and this group is not used.
        .setGroup(config.join() ? RaftGroup.valueOf(group.getGroupId()) : group)
        .setStateMachine(stateMachine)
        .setProperties(properties)
        .setParameters(parameters)
        .setOption(RaftStorage.StartupOption.RECOVER)
        .build();
    // Built from the YAML's peers; after membership changes Ratis' NotLeaderException tells it the new ones.
    this.writeClient = new AtomicReference<>(newClient(properties));
    NodeConfig.Backpressure bp = config.backpressure();
    NodeConfig.Limits limits = config.limits();
    Bounds bounds = Bounds.newBuilder().setMaxWriteKeys(limits.maxWriteKeys())
        .setMaxResultBytes(limits.maxResultBytes()).setMaxRangeLimit(limits.maxRangeLimit()).build();
    this.proposer = new Proposer(this::appendToLog, bp.maxQueuedWrites(), bp.maxInFlightBatches(), bp.maxBatchOps(),
        bp.maxBatchBytes(), bounds, metrics);
    this.readPermits = new Semaphore(bp.maxInFlightReads());
    this.logPurger = new LogPurger(logDb.store(), this::logStartIndex,
        () -> snapshots.latest().map(SnapshotStore.Local::index).orElse(0L), config.id());
    metrics.registerGauge(RAFT_LOG_FIRST_INDEX, () -> {
      try {
        return logDb.firstIndex();
      } catch (IllegalStateException closed) {
        return null;
      }
    });
  }

  /** The first index in Ratis' log; negative when it holds no entry or is not open. */
  private long logStartIndex() {
    try {
      return division().getRaftLog().getStartIndex();
    } catch (IOException | RuntimeException e) {
      return RaftLog.INVALID_LOG_INDEX;
    }
  }

  private RaftClient newClient(RaftProperties properties) {
    return newClient(properties, currentGroup());
  }

  /**
   * The peers of Ratis' current configuration, as this node has it: none on a node started with
   * {@code join: true} that no leader has added yet (the YAML's peers are not its group).
   */
  private List<RaftPeer> configuredPeers() {
    try {
      return List.copyOf(division().getGroup().getPeers());
    } catch (IOException e) {
      return List.copyOf(group.getPeers());
    }
  }

  /** The group as Ratis has it now, or as configured while this node has no configuration yet. */
  private RaftGroup currentGroup() {
    try {
      RaftGroup current = division().getGroup();
      return current.getPeers().isEmpty() ? group : current;
    } catch (IOException e) {
      return group;
    }
  }

  /** A Ratis client of just this peer of the group (a follower copying the leader's snapshot). */
  private RaftClient clientOf(RaftPeer peer) {
    return newClient(properties, RaftGroup.valueOf(group.getGroupId(), peer));
  }

  private RaftClient newClient(RaftProperties properties, RaftGroup group) {
    return RaftClient.newBuilder()
        .setProperties(properties)
        .setParameters(parameters)
        .setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            (int) Math.max(1, config.requestTimeoutMs() / 100), TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
  }

  /** The group id follows from the cluster name, so every member derives the same one. */
  public static RaftGroupId groupId(String cluster) {
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("rocksraft:" + cluster).getBytes(StandardCharsets.UTF_8)));
  }

  private static RaftPeer peer(NodeConfig.Peer p) {
    // Not RaftPeer.clientAddress: Ratis' own client would send its requests there.
    return RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress()).build();
  }

  static RaftProperties properties(NodeConfig config, Path raftDir) {
    RaftProperties p = new RaftProperties();
    // Ratis' gRPC, with a log appender that survives a follower at the start of a purged log.
    RaftConfigKeys.Rpc.setType(p, new PurgeSafeGrpc());
    String raftAddress = config.raftAddress();
    int colon = raftAddress.lastIndexOf(':');
    GrpcConfigKeys.Server.setHost(p, raftAddress.substring(0, colon));
    GrpcConfigKeys.Server.setPort(p, Integer.parseInt(raftAddress.substring(colon + 1)));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(64L << 20));
    RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
    NodeConfig.RaftTuning raft = config.raft();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(raft.electionTimeoutMinMs(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(raft.electionTimeoutMaxMs(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    // Payloads live in raft_log (RocksDB); Ratis' cache keeps only entry headers.
    RaftServerConfigKeys.Log.StateMachineData.setCachingEnabled(p, true);
    // An entry (one coalesced batch) must fit the appender buffer and the log write buffer.
    long entryLimit = Math.max(8L << 20, 2L * config.backpressure().maxBatchBytes());
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entryLimit));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entryLimit + 1024));
    RaftServerConfigKeys.Write.setElementLimit(p, 4096);
    RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf(256L << 20));
    NodeConfig.Snapshot snapshot = config.snapshot();
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, snapshot.autoTrigger());
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshot.autoTriggerThreshold());
    // Purge the log up to each snapshot, even below a lagging follower's index: that follower
    // gets the snapshot instead. Every snapshot purges (the default gap of 1024 would skip some).
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, 1);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SEGMENT_SIZE);
    // With the tier on, a follower that needs a snapshot fetches it from the bucket (see
    // KvStateMachine.notifyInstallSnapshotFromLeader) instead of loading the leader.
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, !config.tier().enabled());
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(raft.rpcRequestTimeoutMs(), TimeUnit.MILLISECONDS));
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, 4 * config.backpressure().maxInFlightBatches() + 64);
    // Expert overrides, applied last: raw Ratis keys from the node YAML. NodeConfig refuses those
    // set above from its options, and the unsafe ones unless they are under unsafe.ratis.
    config.ratis().forEach(p::set);
    config.unsafe().ratis().forEach(p::set);
    if (config.unsafe().skipLogSync()) {
      RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, true);
    }
    return p;
  }

  public void start() throws IOException {
    if (config.unsafe().readLocal()) {
      LOG.warn("[{}] UNSAFE: unsafe.readLocal is on; linearizable reads may return stale values", config.id());
    }
    if (config.unsafe().skipLogSync()) {
      LOG.warn("[{}] UNSAFE: unsafe.skipLogSync is on; writes are acknowledged before the log is on disk, and a"
          + " power cut loses them", config.id());
    }
    if (!config.unsafe().ratis().isEmpty()) {
      LOG.warn("[{}] UNSAFE: unsafe.ratis sets {}; acknowledged writes may be lost or linearizable reads be stale",
          config.id(), new TreeMap<>(config.unsafe().ratis()));
    }
    server.start();
    logPurger.start(LOG_PURGE_PERIOD);
    LOG.info("[{}] Raft server started on {} in group {}", config.id(), config.raftAddress(), group.getGroupId());
  }

  public String memberId() {
    return config.id();
  }

  public NodeConfig config() {
    return config;
  }

  public KvStateMachine stateMachine() {
    return stateMachine;
  }

  /** The tier's upload and fetch state, when the tier is on. */
  public Optional<TierSnapshotTransfer> tier() {
    return Optional.ofNullable(transfer);
  }

  /** This node's state database (it changes when a snapshot is installed); null once closed. */
  public StateStore store() {
    return stateMachine.store();
  }

  /** The block cache and memtable budget of this node's databases, for statistics. */
  public RocksMemory memory() {
    return memory;
  }

  /** This node's Raft log payload database, for health checks and statistics. */
  public RocksDatabase logDatabase() {
    return logDb.database();
  }

  /** This node's Ratis division, for health checks: its role, leader, log and configuration. */
  public RaftServer.Division division() throws IOException {
    return server.getDivision(group.getGroupId());
  }

  /**
   * Puts one write into the log (via the leader) and answers with its result; a write without
   * an exactly-once id gets one of this node's first ({@link NodeSession}).
   */
  public CompletableFuture<CommandResult> propose(Command command) {
    return session.propose(command, proposer::propose);
  }

  /** A read at the requested consistency. */
  public CompletableFuture<QueryResult> read(Query query, ReadOptions options) {
    if (!readPermits.tryAcquire()) {
      return CompletableFuture.failedFuture(new KvException(ErrorKind.RESOURCE_EXHAUSTED,
          "node has " + config.backpressure().maxInFlightReads()
              + " reads in flight (backpressure.maxInFlightReads); retry later"));
    }
    CompletableFuture<QueryResult> result;
    if (options.getConsistency() == Consistency.FOLLOWER || config.unsafe().readLocal()) {
      // unsafe.readLocal answers "linearizable" reads from whatever this replica has applied:
      // only for proving that the fault-injection checker catches stale reads.
      result = stateMachine.localRead(query, options.getMinIndex());
    } else {
      result = linearizableRead(query, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()));
    }
    return result.whenComplete((r, e) -> readPermits.release());
  }

  /**
   * Retries a read that failed for want of a leader or a connection until the request timeout:
   * a read has no side effects, and a leader change should cost a reader latency, not an error.
   */
  private CompletableFuture<QueryResult> linearizableRead(Query query, long deadlineNanos) {
    return linearizableReadOnce(query).handle((result, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(result);
      }
      KvException e = KvException.from(error);
      long retryDelayNanos = TimeUnit.MILLISECONDS.toNanos(READ_RETRY_MS);
      if (e.kind() != ErrorKind.UNAVAILABLE || System.nanoTime() + retryDelayNanos >= deadlineNanos) {
        return CompletableFuture.<QueryResult>failedFuture(e);
      }
      return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(READ_RETRY_MS, TimeUnit.MILLISECONDS))
          .thenCompose(v -> linearizableRead(query, deadlineNanos));
    }).thenCompose(f -> f);
  }

  private CompletableFuture<QueryResult> linearizableReadOnce(Query query) {
    // Read index served by this very node: a follower asks the leader for the commit index,
    // waits until it has applied it, then answers from its own state. A failure (no leader,
    // no quorum) is answered, not retried here.
    CompletableFuture<RaftClientReply> reply = submitLocally(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(query.toByteArray())), RaftClientRequest.readRequestType());
    return reply.handle((r, error) -> {
      if (error == null && !r.isSuccess()) {
        error = r.getException();
      }
      if (error != null) {
        throw RatisErrors.toKv(error);
      }
      try {
        return QueryResult.parseFrom(r.getMessage().getContent().asReadOnlyByteBuffer());
      } catch (InvalidProtocolBufferException e) {
        throw new KvException(ErrorKind.INTERNAL, "bad query result", e);
      }
    });
  }

  /**
   * Puts a batch into the log: straight into this server while it leads, otherwise through
   * the Ratis client to the leader. A local attempt answered "not leader" may still have been
   * appended (Ratis answers so to pending entries when a leader steps down, and they can
   * commit), so the batch may land twice: every write in it carries an exactly-once id
   * ({@link NodeSession}), and the session table answers the second copy.
   */
  private CompletableFuture<RaftClientReply> appendToLog(Message message) {
    if (!isLeader()) {
      return forward(message);
    }
    return submitLocally(message, RaftClientRequest.writeRequestType()).thenCompose(reply ->
        reply.getNotLeaderException() != null || reply.getException() instanceof LeaderNotReadyException
            ? forward(message)
            : CompletableFuture.completedFuture(reply));
  }

  private CompletableFuture<RaftClientReply> forward(Message message) {
    RaftClient client = writeClient.get();
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = client.async().send(message);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.whenComplete((r, e) -> {
      Throwable failure = e != null ? e : r != null && !r.isSuccess() ? r.getException() : null;
      if (breaksTheClient(failure)) {
        renew(client);
      }
    });
  }

  /** After these the ordered client's sliding window is closed: every later request would fail. */
  private static boolean breaksTheClient(Throwable failure) {
    return causedBy(failure, AlreadyClosedException.class) || causedBy(failure, RaftRetryFailureException.class);
  }

  private void renew(RaftClient old) {
    RaftClient fresh = newClient(properties);
    if (writeClient.compareAndSet(old, fresh)) {
      LOG.info("[{}] replaced the Ratis client that forwards writes (members {})", config.id(),
          currentGroup().getPeers().stream().map(p -> p.getId().toString()).toList());
      closeQuietly(old);
    } else {
      closeQuietly(fresh);
    }
  }

  private static void closeQuietly(RaftClient client) {
    try {
      client.close();
    } catch (IOException e) {
      LOG.debug("closing a Ratis client: {}", e.getMessage());
    }
  }

  private boolean isLeader() {
    try {
      return division().getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  private CompletableFuture<RaftClientReply> submitLocally(Message message, RaftClientRequest.Type type) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(localClientId)
        .setServerId(selfId)
        .setGroupId(group.getGroupId())
        .setCallId(localCallIds.incrementAndGet())
        .setMessage(message)
        .setType(type)
        .build();
    try {
      return server.submitClientRequestAsync(request);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Makes {@code targetId} (or, when empty, another member) the leader; completes with the new
   * leader's id once it leads. Runs on its own thread: Ratis' admin calls block.
   */
  public CompletableFuture<String> transferLeadership(String targetId) {
    return CompletableFuture.supplyAsync(() -> {
      RaftGroup current;
      RaftPeerId leader;
      try {
        current = division().getGroup();
        leader = division().getInfo().getLeaderId();
      } catch (IOException e) {
        throw new KvException(ErrorKind.UNAVAILABLE, "this node has no Raft division: " + e.getMessage(), e);
      }
      RaftPeerId target;
      if (targetId == null || targetId.isEmpty()) {
        target = current.getPeers().stream().map(RaftPeer::getId).filter(id -> !id.equals(leader)).findFirst()
            .orElseThrow(() -> new KvException(ErrorKind.FAILED_PRECONDITION, "no other member to lead"));
      } else {
        target = RaftPeerId.valueOf(targetId);
        if (current.getPeer(target) == null) {
          throw KvException.invalid("'" + targetId + "' is not a member; members: " + current.getPeers().stream()
              .map(p -> p.getId().toString()).toList());
        }
      }
      try (RaftClient admin = newClient(properties, current)) {
        RaftClientReply reply = admin.admin().transferLeadership(target, config.requestTimeoutMs());
        if (!reply.isSuccess()) {
          throw RatisErrors.toKv(reply.getException());
        }
      } catch (IOException e) {
        throw RatisErrors.toKv(e);
      }
      return target.toString();
    }, adminExecutor);
  }

  /**
   * The members of the group with their addresses: Raft addresses from the configuration,
   * client addresses as recorded by member add, else as the YAML lists them.
   */
  public List<Member> members() {
    Map<String, Member> recorded = stateMachine.memberAddresses();
    List<Member> out = new ArrayList<>();
    for (RaftPeer p : configuredPeers()) {
      String id = p.getId().toString();
      String clientAddress = recorded.containsKey(id) ? recorded.get(id).getClientAddress()
          : config.peers().stream().filter(c -> c.id().equals(id)).map(NodeConfig.Peer::clientAddress)
              .findFirst().orElse("");
      out.add(Member.newBuilder().setId(id).setRaftAddress(nullToEmpty(p.getAddress()))
          .setClientAddress(clientAddress).build());
    }
    return out;
  }

  /**
   * Adds {@code member} to the group: records its addresses through the log, then has Ratis
   * catch it up and commit the new configuration. The new node must be running with
   * {@code join: true}. Completes with the members after the change.
   */
  public CompletableFuture<List<Member>> addMember(Member member) {
    RaftPeer peer = RaftPeer.newBuilder().setId(member.getId()).setAddress(member.getRaftAddress()).build();
    return propose(Command.newBuilder().setSetMember(member).build())
        .thenApplyAsync(recorded -> {
          changeConfiguration(SetConfigurationRequest.Arguments.newBuilder()
              .setServersInNewConf(List.of(peer)).setMode(SetConfigurationRequest.Mode.ADD).build());
          return members();
        }, adminExecutor);
  }

  /**
   * Removes member {@code id} from the group, then forgets its addresses and asks the removed
   * server to leave the group (best effort: it may be down). Completes with the members after.
   */
  public CompletableFuture<List<Member>> removeMember(String id) {
    return CompletableFuture.supplyAsync(() -> {
      List<RaftPeer> current = currentGroup().getPeers().stream().toList();
      RaftPeer removed = current.stream().filter(p -> p.getId().toString().equals(id)).findFirst()
          .orElseThrow(() -> new KvException(ErrorKind.NOT_FOUND, "'" + id + "' is not a member; members: "
              + current.stream().map(p -> p.getId().toString()).toList()));
      List<RaftPeer> remaining = current.stream().filter(p -> p != removed).toList();
      changeConfiguration(SetConfigurationRequest.Arguments.newBuilder()
          .setServersInCurrentConf(current).setServersInNewConf(remaining)
          .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build());
      leaveGroup(removed);
      return removed;
    }, adminExecutor)
        .thenCompose(removed -> propose(Command.newBuilder().setForgetMember(id).build()))
        .thenApply(forgotten -> members());
  }

  private void changeConfiguration(SetConfigurationRequest.Arguments arguments) {
    RaftProperties longer = new RaftProperties(properties);
    // Ratis answers once a new member has caught up, which may take a while.
    RaftClientConfigKeys.Rpc.setRequestTimeout(longer,
        TimeDuration.valueOf(config.raft().memberChangeTimeoutMs(), TimeUnit.MILLISECONDS));
    try (RaftClient admin = newClient(longer, currentGroup())) {
      RaftClientReply reply = admin.admin().setConfiguration(arguments);
      if (!reply.isSuccess()) {
        throw RatisErrors.toKv(reply.getException());
      }
      LOG.info("[{}] configuration changed: {}", config.id(), arguments);
    } catch (IOException e) {
      throw RatisErrors.toKv(e);
    }
  }

  /** Tells a removed server to drop the group, so that it stops waiting for a leader that will not come. */
  private void leaveGroup(RaftPeer removed) {
    if (removed.getId().equals(selfId)) {
      return; // this node goes on answering; the operator stops it
    }
    try (RaftClient toRemoved = newClient(properties, RaftGroup.valueOf(group.getGroupId(), removed))) {
      toRemoved.getGroupManagementApi(removed.getId()).remove(group.getGroupId(), false, true);
    } catch (IOException | RuntimeException e) {
      LOG.info("[{}] removed member {} did not drop the group (it may be down): {}", config.id(), removed.getId(),
          e.getMessage());
    }
  }

  /**
   * Takes a snapshot of this node's state now (unless nothing was applied since the last one)
   * and lets Ratis purge its log below it. Completes with the snapshot's index and term.
   */
  public CompletableFuture<SnapshotResponse> takeSnapshot() {
    return takeSnapshot(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()));
  }

  private CompletableFuture<SnapshotResponse> takeSnapshot(long deadlineNanos) {
    long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    // Creation gap 1: a new snapshot whenever anything was applied since the last one.
    SnapshotManagementRequest request = SnapshotManagementRequest.newCreate(localClientId, selfId,
        group.getGroupId(), localCallIds.incrementAndGet(), timeoutMs, 1);
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = server.snapshotManagementAsync(request);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.handle((r, error) -> {
      if (error == null && !r.isSuccess()) {
        error = r.getException();
      }
      if (error != null && causedBy(error, TimeoutIOException.class) && System.nanoTime() < deadlineNanos) {
        // Ratis times out whichever snapshot request is pending when the timer of an earlier,
        // already answered request fires (3.2.2): ask again until our own deadline.
        return takeSnapshot(deadlineNanos);
      }
      if (error != null) {
        throw RatisErrors.toKv(error);
      }
      long index = r.getLogIndex();
      SnapshotStore.Local latest = stateMachine.snapshots().latest()
          .filter(l -> l.index() == index)
          .orElseThrow(() -> new KvException(ErrorKind.UNAVAILABLE, "no snapshot taken on " + config.id()
              + " (nothing applied yet, or still replaying its log after a restart); retry later"));
      return CompletableFuture.completedFuture(
          SnapshotResponse.newBuilder().setMemberId(config.id()).setIndex(index).setTerm(latest.term()).build());
    }).thenCompose(f -> f);
  }

  private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** This replica's state hash at a hash point. */
  public CompletableFuture<HashResponse> hashAt(long index) {
    return stateMachine.hashAt(index);
  }

  public StatusResponse status() {
    StatusResponse.Builder out = StatusResponse.newBuilder()
        .setMemberId(config.id())
        .setGroupId(group.getGroupId().getUuid().toString())
        .setRevision(stateMachine.applied().revision());
    try {
      RaftServer.Division division = division();
      DivisionInfo info = division.getInfo();
      out.setRole(info.getCurrentRole().name())
          .setTerm(info.getCurrentTerm())
          .setCommitIndex(division.getRaftLog().getLastCommittedIndex())
          .setAppliedIndex(info.getLastAppliedIndex());
      RaftPeerId leader = info.getLeaderId();
      if (leader != null) {
        out.setLeaderId(leader.toString());
      }
      out.addAllMembers(members());
    } catch (IOException e) {
      out.setRole("UNKNOWN");
    }
    return out.build();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  @Override
  public void close() throws IOException {
    logPurger.close();
    adminExecutor.shutdownNow();
    proposer.close();
    try {
      writeClient.get().close();
    } finally {
      try {
        server.close();
      } finally {
        try {
          // Ratis closes the state machine when its apply thread stops; this covers a server
          // that never started it.
          stateMachine.close();
        } finally {
          if (transfer != null) {
            transfer.close();
          }
          logDb.close();
          memory.close();
        }
      }
    }
    LOG.info("[{}] stopped", config.id());
  }
}
