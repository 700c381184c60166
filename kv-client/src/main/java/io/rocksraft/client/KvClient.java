package io.rocksraft.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Deadline;
import io.grpc.TlsChannelCredentials;
import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.Consistency;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRangeResponse;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.DeleteResponse;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.GetResponse;
import io.rocksraft.api.v1.HashPointRequest;
import io.rocksraft.api.v1.HashRequest;
import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.LeaderTransferRequest;
import io.rocksraft.api.v1.Member;
import io.rocksraft.api.v1.MemberAddRequest;
import io.rocksraft.api.v1.MemberListRequest;
import io.rocksraft.api.v1.MemberListResponse;
import io.rocksraft.api.v1.MemberRemoveRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.api.v1.ReadOptions;
import io.rocksraft.api.v1.ResponseHeader;
import io.rocksraft.api.v1.SnapshotRequest;
import io.rocksraft.api.v1.SnapshotResponse;
import io.rocksraft.api.v1.StatusRequest;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.TxnResponse;
import io.rocksraft.api.v1.WatchRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The rocksraft Java client. Thread-safe; create one per application and close it.
 *
 * <pre>{@code
 * try (KvClient kv = KvClient.builder().endpoints("127.0.0.1:9001", "127.0.0.1:9002").build()) {
 *   kv.put(ByteString.copyFromUtf8("k"), ByteString.copyFromUtf8("v"));
 *   kv.async().get(ByteString.copyFromUtf8("k")).thenAccept(r -> ...);
 * }
 * }</pre>
 *
 * <p>Writes and linearizable reads go to the cached leader (any node answers both, but the leader
 * does it without an extra hop); follower reads go to the next node in turn. On a leader change or
 * a lost node the call is retried
 * with backoff on another node until its deadline. Every write carries an exactly-once id,
 * so a retried write is applied once even when its first answer was lost.
 *
 * <p>Answers, the callbacks chained on them and watch listeners run on the client's own small
 * pool ({@code kv-client-N} threads) unless {@link Builder#executor} names another; a callback
 * may block on another call of the client.
 */
public final class KvClient implements AutoCloseable {
  private final List<Endpoint> endpoints;
  private final Duration timeout;
  private final WriteIds writeIds = new WriteIds();
  private final ScheduledExecutorService retries;
  /** The pool answers run on when the builder named none; closed with the client. */
  private final ForkJoinPool ownExecutor;
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final Async async = new Async();
  private volatile String leaderId;
  private final boolean linearizableReadsAtLeader;
  /** Null for plain text. */
  private final PemTls tls;
  /** How often a TLS client looks for renewed certificate files. */
  private static final Duration TLS_RELOAD = Duration.ofSeconds(10);
  /** The longest a member add or remove is waited for. */
  public static final Duration MEMBER_CHANGE_TIMEOUT = Duration.ofMinutes(2);

  private KvClient(Builder b) {
    if (b.endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint (host:port) is required");
    }
    this.tls = b.tls ? PemTls.load(b.caFile, b.certFile, b.keyFile, TLS_RELOAD) : null;
    ChannelCredentials credentials = null;
    if (tls != null) {
      TlsChannelCredentials.Builder creds = TlsChannelCredentials.newBuilder().trustManager(tls.trustManager());
      tls.keyManager().ifPresent(creds::keyManager);
      credentials = creds.build();
    }
    ChannelCredentials tlsOrPlain = credentials;
    CallCredentials token = b.token == null ? null : new BearerToken(b.token);
    this.ownExecutor = b.executor == null ? answerPool() : null;
    Executor answers = b.executor != null ? b.executor : ownExecutor;
    this.endpoints = b.endpoints.stream()
        .map(a -> new Endpoint(a, b.maxInboundBytes, tlsOrPlain, token, answers)).toList();
    this.timeout = b.timeout;
    this.linearizableReadsAtLeader = b.linearizableReadsAtLeader;
    this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kv-client-retry");
      t.setDaemon(true);
      return t;
    });
    // Learn which endpoint is which member, and who leads, without delaying the first call.
    async.statusAll().thenAccept(all -> all.stream().map(StatusResponse::getLeaderId)
        .filter(l -> !l.isEmpty()).findFirst().ifPresent(l -> leaderId = l));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A work-stealing pool of 2 to 4 threads. Not gRPC's default cached pool: handing each answer to
   * a parked thread of that pool cost the bench's load generator a fifth of its CPU. A callback
   * that blocks on another call of this client (a sync call, {@code join}) makes the pool add a
   * spare thread, so callbacks cannot starve it the way they could a fixed pool.
   */
  private static ForkJoinPool answerPool() {
    int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    AtomicInteger n = new AtomicInteger();
    return new ForkJoinPool(threads, pool -> {
      ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
      t.setName("kv-client-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, null, true);
  }

  /** Options of a client. */
  public static final class Builder {
    private final List<String> endpoints = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(10);
    private int maxInboundBytes = 64 << 20;
    private boolean linearizableReadsAtLeader = true;
    private boolean tls;
    private Path caFile;
    private Path certFile;
    private Path keyFile;
    private String token;
    private Executor executor;

    /** gRPC addresses (host:port) of some or all nodes. */
    public Builder endpoints(String... addresses) {
      for (String a : addresses) {
        for (String one : a.split(",")) {
          if (!one.isBlank()) {
            endpoints.add(one.trim());
          }
        }
      }
      return this;
    }

    public Builder endpoints(List<String> addresses) {
      return endpoints(addresses.toArray(String[]::new));
    }

    /** The default deadline of every call, retries included (10 s unless set). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * Whether linearizable reads go to the leader (the default: the fastest) or, like follower
     * reads, to every node in turn: for testing every node's read-index path, as the
     * fault-injection harness does.
     */
    public Builder linearizableReadsAtLeader(boolean atLeader) {
      this.linearizableReadsAtLeader = atLeader;
      return this;
    }

    /**
     * Connects over TLS, trusting servers whose certificate chains to the CA bundle in this PEM
     * file (null: the JVM's default roots) and names the host dialled.
     */
    public Builder tls(Path caFile) {
      this.tls = true;
      this.caFile = caFile;
      return this;
    }

    /**
     * Presents this certificate chain (PEM) and its PKCS#8 key (PEM) to servers that ask for one
     * (mutual TLS); implies TLS. Renewed files are picked up without a new client.
     */
    public Builder clientCertificate(Path certFile, Path keyFile) {
      this.tls = true;
      this.certFile = Objects.requireNonNull(certFile, "certFile");
      this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
      return this;
    }

    /** Authenticates every call with this bearer token; it is sent over TLS only. */
    public Builder token(String token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * Runs the answers of calls and so every callback chained on the client's futures and every
     * watch listener. By default that is a work-stealing pool of the client's own, 2 to 4 threads
     * named {@code kv-client-N}, closed with the client; an executor given here is not shut down
     * by {@link KvClient#close()}.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public KvClient build() {
      return new KvClient(this);
    }
  }

  /** The asynchronous API: every call returns at once with a future. */
  public Async async() {
    return async;
  }

  // ---- synchronous API: the async one, waited for ----

  public GetResponse get(ByteString key) {
    return join(async.get(key));
  }

  public GetResponse get(GetRequest request) {
    return join(async.get(request));
  }

  public RangeResponse range(RangeRequest request) {
    return join(async.range(request));
  }

  /** Every key with this prefix, following continuations page by page. */
  public List<io.rocksraft.api.v1.KeyValue> scanPrefix(ByteString prefix) {
    List<io.rocksraft.api.v1.KeyValue> out = new ArrayList<>();
    RangeRequest.Builder req = RangeRequest.newBuilder().setPrefix(prefix);
    while (true) {
      RangeResponse page = range(req.build());
      out.addAll(page.getKvsList());
      if (!page.getMore()) {
        return out;
      }
      req.setStart(page.getNextStart());
    }
  }

  public PutResponse put(ByteString key, ByteString value) {
    return join(async.put(key, value));
  }

  public PutResponse put(PutRequest request) {
    return join(async.put(request));
  }

  public DeleteResponse delete(ByteString key) {
    return join(async.delete(key));
  }

  public DeleteRangeResponse deleteRange(DeleteRangeRequest request) {
    return join(async.deleteRange(request));
  }

  public TxnResponse txn(TxnRequest request) {
    return join(async.txn(request));
  }

  /** Writes {@code value} only if the key's mod revision is {@code expectedRevision} (0: only if absent). */
  public boolean compareAndPut(ByteString key, long expectedRevision, ByteString value) {
    return join(async.compareAndPut(key, expectedRevision, value));
  }

  public StatusResponse status() {
    return join(async.status());
  }

  /**
   * Hands leadership to member {@code id} (empty: any other member); returns the new leader's
   * id once it leads. Not retried: a transfer that timed out may still complete.
   */
  public String transferLeadership(String id) {
    Endpoint e = nextEndpoint();
    // Twice the call timeout: the node waits up to its request timeout for the new leader.
    return join(toCompletable(e.cluster.withDeadline(Deadline.after(2 * timeout.toMillis(), TimeUnit.MILLISECONDS))
        .leaderTransfer(LeaderTransferRequest.newBuilder().setId(id).build())))
        .getLeaderId();
  }

  /** The members of the group with their addresses, as the answering node knows them. */
  public MemberListResponse memberList() {
    return join(call(Route.ANY, (e, d) -> e.cluster.withDeadline(d).memberList(MemberListRequest.getDefaultInstance()),
        r -> null, Function.identity()));
  }

  /**
   * Adds a member online; the new node must already run with {@code join: true}. Returns the
   * members after the change, once the new one has caught up. Not retried: an add that timed
   * out may still complete (list the members to know).
   */
  public List<Member> memberAdd(Member member) {
    return join(toCompletable(nextEndpoint().cluster.withDeadline(memberChangeDeadline())
        .memberAdd(MemberAddRequest.newBuilder().setMember(member).build()))).getMembersList();
  }

  /**
   * Removes member {@code id} online; returns the members after the change. A member does not
   * remove itself (its group would close before it answers), so when the endpoint asked is
   * {@code id}, the next one is asked. Not retried otherwise: a removal that timed out may still
   * complete (list the members to know).
   */
  public List<Member> memberRemove(String id) {
    MemberRemoveRequest request = MemberRemoveRequest.newBuilder().setId(id).build();
    for (int tried = 1; ; tried++) {
      try {
        return join(toCompletable(nextEndpoint().cluster.withDeadline(memberChangeDeadline())
            .memberRemove(request))).getMembersList();
      } catch (KvClientException.FailedPrecondition e) {
        if (tried >= endpoints.size() || !e.getMessage().contains(SELF_REMOVAL)) {
          throw e;
        }
      }
    }
  }

  /** The node's answer when asked to remove itself (kv-server's Membership.ANSWERING). */
  private static final String SELF_REMOVAL = "is the node answering";

  private Endpoint nextEndpoint() {
    return endpoints.get(Math.floorMod(roundRobin.getAndIncrement(), endpoints.size()));
  }

  /** Catching a new member up may take long; the node bounds it by its raft.memberChangeTimeoutMs. */
  private Deadline memberChangeDeadline() {
    return Deadline.after(Math.max(timeout.toMillis(), MEMBER_CHANGE_TIMEOUT.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** The status of every endpoint, in endpoint order; a node that does not answer is missing. */
  public List<StatusResponse> statusAll() {
    return join(async.statusAll());
  }

  /** Asks every replica for its state hash at a new hash point. */
  public List<HashResponse> check() {
    return join(async.check());
  }

  /**
   * Has every endpoint take a snapshot of its own state now (and purge its Raft log below
   * it); answers in endpoint order. Fails when any node fails.
   */
  public List<SnapshotResponse> snapshot() {
    return join(async.snapshot());
  }

  /**
   * Watches one key ({@code request.key}), a prefix, or every key, from
   * {@code request.start_revision} (0: from now on). Returns at once; events reach the
   * listener in revision order until the watch is closed.
   */
  public Watch watch(WatchRequest request, WatchListener listener) {
    Watch w = new Watch(endpoints, retries, request, listener);
    w.start();
    return w;
  }

  public List<String> endpoints() {
    return endpoints.stream().map(e -> e.address).toList();
  }

  /** Every result in order, once all are in; fails when one fails. */
  private static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> each) {
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw KvClientException.from(e);
    }
  }

  /** The asynchronous API. */
  public final class Async {
    private Async() {}

    public CompletableFuture<GetResponse> get(ByteString key) {
      return get(GetRequest.newBuilder().setKey(key).build());
    }

    public CompletableFuture<GetResponse> get(GetRequest request) {
      return read(request.getRead(), (e, d) -> e.kv.withDeadline(d).get(request), GetResponse::getHeader);
    }

    public CompletableFuture<RangeResponse> range(RangeRequest request) {
      return read(request.getRead(), (e, d) -> e.kv.withDeadline(d).range(request), RangeResponse::getHeader);
    }

    public CompletableFuture<PutResponse> put(ByteString key, ByteString value) {
      return put(PutRequest.newBuilder().setKey(key).setValue(value).build());
    }

    public CompletableFuture<PutResponse> put(PutRequest request) {
      return write(seq -> request.toBuilder().setId(writeIds.id(seq)).build(),
          (e, d, r) -> e.kv.withDeadline(d).put(r), PutResponse::getHeader);
    }

    public CompletableFuture<DeleteResponse> delete(ByteString key) {
      DeleteRequest request = DeleteRequest.newBuilder().setKey(key).build();
      return write(seq -> request.toBuilder().setId(writeIds.id(seq)).build(),
          (e, d, r) -> e.kv.withDeadline(d).delete(r), DeleteResponse::getHeader);
    }

    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
      return write(seq -> request.toBuilder().setId(writeIds.id(seq)).build(),
          (e, d, r) -> e.kv.withDeadline(d).deleteRange(r), DeleteRangeResponse::getHeader);
    }

    public CompletableFuture<TxnResponse> txn(TxnRequest request) {
      return write(seq -> request.toBuilder().setId(writeIds.id(seq)).build(),
          (e, d, r) -> e.kv.withDeadline(d).txn(r), TxnResponse::getHeader);
    }

    public CompletableFuture<Boolean> compareAndPut(ByteString key, long expectedRevision, ByteString value) {
      TxnRequest txn = TxnRequest.newBuilder()
          .addCompares(Compare.newBuilder().setKey(key).setTarget(Compare.Target.MOD_REVISION)
              .setResult(Compare.Result.EQUAL).setNumber(expectedRevision))
          .addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(key).setValue(value)))
          .build();
      return txn(txn).thenApply(TxnResponse::getSucceeded);
    }

    public CompletableFuture<StatusResponse> status() {
      return call(Route.ANY, (e, d) -> e.cluster.withDeadline(d).status(StatusRequest.getDefaultInstance()),
          r -> null, Function.identity());
    }

    public CompletableFuture<List<StatusResponse>> statusAll() {
      List<CompletableFuture<StatusResponse>> each = new ArrayList<>();
      for (Endpoint e : endpoints) {
        each.add(toCompletable(e.cluster.withDeadline(deadline()).status(StatusRequest.getDefaultInstance()))
            .handle((s, err) -> {
              if (s != null) {
                e.memberId = s.getMemberId();
              }
              return s;
            }));
      }
      return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
          .thenApply(v -> each.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList());
    }

    public CompletableFuture<List<HashResponse>> check() {
      return call(Route.LEADER, (e, d) -> e.maintenance.withDeadline(d).hashPoint(HashPointRequest.getDefaultInstance()),
          r -> null, Function.identity())
          .thenCompose(point -> {
            List<CompletableFuture<HashResponse>> each = new ArrayList<>();
            for (Endpoint e : endpoints) {
              // Every replica must answer: wait for a node that is (re)connecting until the deadline.
              each.add(toCompletable(e.maintenance.withDeadline(deadline()).withWaitForReady()
                  .hash(HashRequest.newBuilder().setIndex(point.getIndex()).build())));
            }
            return all(each);
          });
    }

    public CompletableFuture<List<SnapshotResponse>> snapshot() {
      List<CompletableFuture<SnapshotResponse>> each = new ArrayList<>();
      for (Endpoint e : endpoints) {
        each.add(toCompletable(e.maintenance.withDeadline(deadline()).snapshot(SnapshotRequest.getDefaultInstance())));
      }
      return all(each);
    }

    private <T> CompletableFuture<T> read(ReadOptions options, BiFunction<Endpoint, Deadline, ListenableFuture<T>> rpc,
                                          Function<T, ResponseHeader> header) {
      // Any node answers a linearizable read, but a follower must first ask the leader for the
      // read index (one more round trip per read in Ratis); a follower read is local anywhere.
      Route route = options.getConsistency() == Consistency.FOLLOWER || !linearizableReadsAtLeader
          ? Route.ANY : Route.LEADER_FOR_READS;
      return call(route, rpc, header, Function.identity());
    }
  }

  @FunctionalInterface
  private interface WriteRpc<Q, T> {
    ListenableFuture<T> send(Endpoint e, Deadline d, Q request);
  }

  /** A write: one exactly-once id for the call, reused by every retry. */
  private <Q, T> CompletableFuture<T> write(java.util.function.LongFunction<Q> withId, WriteRpc<Q, T> rpc,
                                            Function<T, ResponseHeader> header) {
    long seq = writeIds.begin();
    CompletableFuture<T> result = call(Route.LEADER, (e, d) -> rpc.send(e, d, withId.apply(seq)), header, Function.identity());
    return result.whenComplete((r, err) -> writeIds.end(seq));
  }

  private Deadline deadline() {
    return Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Where a call goes first. LEADER: writes, answered by the leader (which the answer's member id
   * names). LEADER_FOR_READS: linearizable reads, answered by whichever node gets them (the answer's
   * leader id names the leader). ANY: the next node in turn. Without a known leader, any node.
   */
  private enum Route { LEADER, LEADER_FOR_READS, ANY }

  private <T, R> CompletableFuture<R> call(Route route, BiFunction<Endpoint, Deadline, ListenableFuture<T>> rpc,
                                           Function<T, ResponseHeader> header, Function<T, R> result) {
    CompletableFuture<R> out = new CompletableFuture<>();
    attempt(0, deadline(), route, rpc, header, result, out, null);
    return out;
  }

  private <T, R> void attempt(int n, Deadline deadline, Route route,
                              BiFunction<Endpoint, Deadline, ListenableFuture<T>> rpc,
                              Function<T, ResponseHeader> header, Function<T, R> result,
                              CompletableFuture<R> out, Throwable last) {
    if (deadline.isExpired()) {
      out.completeExceptionally(last != null && !(KvClientException.from(last) instanceof KvClientException.Overloaded)
          ? new KvClientException.Unavailable("no node could answer before the deadline; last error: "
              + KvClientException.from(last).getMessage(), last)
          : new KvClientException.DeadlineExceeded("deadline exceeded", last));
      return;
    }
    Endpoint endpoint = choose(route != Route.ANY, n);
    Futures.addCallback(rpc.apply(endpoint, deadline), new FutureCallback<T>() {
      @Override
      public void onSuccess(T value) {
        ResponseHeader h = header.apply(value);
        if (h != null && !h.getMemberId().isEmpty()) {
          if (route == Route.LEADER) {
            leaderId = h.getMemberId();
          } else {
            endpoint.memberId = h.getMemberId();
            if (!h.getLeaderId().isEmpty()) {
              leaderId = h.getLeaderId();
            }
          }
        }
        out.complete(result.apply(value));
      }

      @Override
      public void onFailure(Throwable t) {
        if (!KvClientException.retryable(t)) {
          KvClientException failure = KvClientException.from(t);
          if (failure instanceof KvClientException.DeadlineExceeded && last != null
              && !(KvClientException.from(last) instanceof KvClientException.Overloaded)) {
            // The deadline ran out while retrying an unavailable group: say so.
            failure = new KvClientException.Unavailable("no node could answer before the deadline; last error: "
                + KvClientException.from(last).getMessage(), t);
          }
          out.completeExceptionally(failure);
          return;
        }
        endpoint.failedAtNanos = System.nanoTime();
        if (endpoint.memberId != null && endpoint.memberId.equals(leaderId)) {
          leaderId = null;
        }
        retries.schedule(() -> attempt(n + 1, deadline, route, rpc, header, result, out, t),
            backoffMs(n), TimeUnit.MILLISECONDS);
      }
    }, MoreExecutors.directExecutor());
  }

  /** The pause before retry {@code n + 1}: doubling from 25 ms up to 1 s, jittered by half. */
  static long backoffMs(int n) {
    long backoff = Math.min(1000, 25L << Math.min(n, 6));
    return backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
  }

  /** The cached leader for writes when known and healthy, otherwise the next endpoint in turn. */
  private Endpoint choose(boolean toLeader, int attempt) {
    String leader = leaderId;
    if (toLeader && leader != null) {
      for (Endpoint e : endpoints) {
        if (leader.equals(e.memberId) && System.nanoTime() - e.failedAtNanos > TimeUnit.SECONDS.toNanos(1)) {
          return e;
        }
      }
    }
    int start = roundRobin.getAndIncrement();
    for (int i = 0; i < endpoints.size(); i++) {
      Endpoint e = endpoints.get(Math.floorMod(start + i, endpoints.size()));
      if (attempt == 0 || System.nanoTime() - e.failedAtNanos > TimeUnit.MILLISECONDS.toNanos(500)) {
        return e;
      }
    }
    return endpoints.get(Math.floorMod(start, endpoints.size()));
  }

  private static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> f) {
    CompletableFuture<T> out = new CompletableFuture<>();
    Futures.addCallback(f, new FutureCallback<T>() {
      @Override
      public void onSuccess(T value) {
        out.complete(value);
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(KvClientException.from(t));
      }
    }, MoreExecutors.directExecutor());
    return out;
  }

  @Override
  public void close() {
    retries.shutdownNow();
    endpoints.forEach(Endpoint::close);
    if (ownExecutor != null) {
      ownExecutor.shutdown();
    }
    if (tls != null) {
      tls.close();
    }
  }
}
