package io.rocksraft.server.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rocksraft.server.state.EntryBudget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One node's configuration: a YAML file (see {@code docs/configuration.md}) and/or flags.
 * Every field has a default, so a single node runs with no file at all.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record NodeConfig(
    String id,
    String cluster,
    Path dataDir,
    String raftAddress,
    String clientAddress,
    List<Peer> peers,
    Limits limits,
    Backpressure backpressure,
    RaftTuning raft,
    Health health,
    Long requestTimeoutMs,
    Long blockCacheBytes,
    Long writeBufferBytes,
    Long keyCacheBytes,
    Map<String, String> ratis,
    WatchSettings watch,
    Boolean join,
    Snapshot snapshot,
    TierConfig tier,
    Unsafe unsafe,
    Security security) {

  public NodeConfig {
    id = Objects.requireNonNullElse(id, "n1");
    cluster = Objects.requireNonNullElse(cluster, "rocksraft");
    dataDir = Objects.requireNonNullElse(dataDir, Path.of("data", id));
    String selfId = id;
    Peer listed = peers == null ? null : peers.stream().filter(p -> selfId.equals(p.id())).findFirst().orElse(null);
    raftAddress = Objects.requireNonNullElse(raftAddress, listed != null ? listed.raftAddress() : "127.0.0.1:7001");
    clientAddress = Objects.requireNonNullElse(clientAddress,
        listed != null ? listed.clientAddress() : "127.0.0.1:9001");
    peers = peers == null || peers.isEmpty() ? List.of(new Peer(id, raftAddress, clientAddress)) : List.copyOf(peers);
    limits = Objects.requireNonNullElse(limits, Limits.DEFAULTS);
    backpressure = Objects.requireNonNullElse(backpressure, Backpressure.DEFAULTS);
    raft = Objects.requireNonNullElse(raft, RaftTuning.DEFAULTS);
    health = Objects.requireNonNullElse(health, Health.DEFAULTS).withDefaultsFor(raft);
    requestTimeoutMs = Objects.requireNonNullElse(requestTimeoutMs, 10_000L);
    blockCacheBytes = Objects.requireNonNullElse(blockCacheBytes, 64L << 20);
    writeBufferBytes = Objects.requireNonNullElse(writeBufferBytes, 64L << 20);
    keyCacheBytes = Objects.requireNonNullElse(keyCacheBytes, 32L << 20);
    ratis = ratis == null ? Map.of() : Map.copyOf(ratis);
    watch = Objects.requireNonNullElse(watch, WatchSettings.DEFAULTS);
    join = Objects.requireNonNullElse(join, false);
    snapshot = Objects.requireNonNullElse(snapshot, Snapshot.DEFAULTS);
    tier = Objects.requireNonNullElse(tier, TierConfig.DEFAULTS);
    unsafe = Objects.requireNonNullElse(unsafe, Unsafe.DEFAULTS);
    security = Objects.requireNonNullElse(security, Security.DEFAULTS);
  }

  /**
   * TLS for every connection, who may do what, and per-client limits; TLS and authentication
   * are off unless configured (see {@code docs/security.md}).
   */
  public record Security(Tls tls, Auth auth, ClientLimits clientLimits) {
    public static final Security DEFAULTS = new Security(null, null, null);

    public Security {
      tls = Objects.requireNonNullElse(tls, Tls.OFF);
      auth = Objects.requireNonNullElse(auth, Auth.OFF);
      clientLimits = Objects.requireNonNullElse(clientLimits, ClientLimits.DEFAULTS);
    }

    void validate(List<String> errors) {
      tls.validate(errors);
      auth.validate(errors);
      clientLimits.validate(errors);
      if (auth.enabled() && !tls.enabled()) {
        errors.add("security.auth needs security.tls: bearer tokens and identities must not cross the network in clear");
      }
      if (auth.users().stream().anyMatch(u -> u.tokenSha256() == null) && !tls.clientAuth().equals("require")
          && !tls.clientAuth().equals("optional")) {
        errors.add("security.auth users without tokenSha256 sign in with a client certificate: "
            + "security.tls.clientAuth must be optional or require");
      }
    }
  }

  /**
   * Authentication and authorisation. A caller is a user: by its bearer token (stored as the
   * token's SHA-256, lower-case hex) or by its client certificate, whose subject's common name
   * is the user's name. A user may do what its roles grant.
   */
  public record Auth(Boolean enabled, List<User> users, List<Role> roles) {
    public static final Auth OFF = new Auth(null, null, null);

    public Auth {
      enabled = Objects.requireNonNullElse(enabled, false);
      users = users == null ? List.of() : List.copyOf(users);
      roles = roles == null ? List.of() : List.copyOf(roles);
    }

    void validate(List<String> errors) {
      java.util.Set<String> roleNames = new java.util.HashSet<>();
      for (Role r : roles) {
        if (r.name() == null || r.name().isBlank() || !roleNames.add(r.name())) {
          errors.add("security.auth.roles: every role needs a name of its own (got '" + r.name() + "')");
        }
      }
      java.util.Set<String> userNames = new java.util.HashSet<>();
      java.util.Set<String> tokens = new java.util.HashSet<>();
      for (User u : users) {
        if (u.name() == null || u.name().isBlank() || !userNames.add(u.name())) {
          errors.add("security.auth.users: every user needs a name of its own (got '" + u.name() + "')");
        }
        if (u.tokenSha256() != null && (!u.tokenSha256().matches("[0-9a-f]{64}") || !tokens.add(u.tokenSha256()))) {
          errors.add("security.auth.users " + u.name() + ": tokenSha256 must be 64 lower-case hex digits, "
              + "and no two users may share a token");
        }
        for (String role : u.roles()) {
          if (!roleNames.contains(role)) {
            errors.add("security.auth.users " + u.name() + ": no role named '" + role + "'");
          }
        }
      }
      if (enabled && roles.stream().noneMatch(Role::admin)) {
        errors.add("security.auth: no role has admin: true, so no one could change membership or take snapshots");
      }
    }
  }

  /** A user: its name, its token's SHA-256 (null: certificate only) and its roles' names. */
  public record User(String name, String tokenSha256, List<String> roles) {
    public User {
      roles = roles == null ? List.of() : List.copyOf(roles);
    }
  }

  /**
   * A role: key prefixes its users may read (get, range, watch, txn compares) and write (put,
   * delete, txn writes), with "" for every key, and whether they may administer the cluster
   * (membership, leadership, snapshots, consistency checks, the admin port).
   */
  public record Role(String name, List<String> read, List<String> write, Boolean admin) {
    public Role {
      read = read == null ? List.of() : List.copyOf(read);
      write = write == null ? List.of() : List.copyOf(write);
      admin = Objects.requireNonNullElse(admin, false);
    }
  }

  /**
   * What one client may have of a node: requests in flight at once, requests per second (0: no
   * bound), and open watches. A client is its user when authentication is on, else its connection.
   */
  public record ClientLimits(Integer maxInFlight, Integer requestsPerSecond, Integer maxWatches) {
    public static final ClientLimits DEFAULTS = new ClientLimits(null, null, null);

    public ClientLimits {
      maxInFlight = Objects.requireNonNullElse(maxInFlight, 1024);
      requestsPerSecond = Objects.requireNonNullElse(requestsPerSecond, 0);
      maxWatches = Objects.requireNonNullElse(maxWatches, 1000);
    }

    void validate(List<String> errors) {
      if (maxInFlight < 1 || requestsPerSecond < 0 || maxWatches < 0) {
        errors.add("security.clientLimits: maxInFlight must be at least 1, requestsPerSecond and maxWatches "
            + "0 or more: " + this);
      }
    }
  }

  /**
   * The node's certificate chain and PKCS#8 key and the CA bundle, all PEM, re-read every
   * {@code reloadSeconds} when changed. Peer (Raft) traffic is always mutual TLS under this CA;
   * {@code clientAuth} says whether clients must ({@code require}), may ({@code optional}) or
   * need not ({@code none}) present a certificate from it.
   */
  public record Tls(Path certFile, Path keyFile, Path caFile, String clientAuth, Integer reloadSeconds) {
    public static final Tls OFF = new Tls(null, null, null, null, null);
    public static final List<String> CLIENT_AUTH = List.of("none", "optional", "require");

    public Tls {
      clientAuth = Objects.requireNonNullElse(clientAuth, "none");
      reloadSeconds = Objects.requireNonNullElse(reloadSeconds, 10);
    }

    public boolean enabled() {
      return certFile != null || keyFile != null || caFile != null;
    }

    void validate(List<String> errors) {
      if (enabled() && (certFile == null || keyFile == null || caFile == null)) {
        errors.add("security.tls needs all of certFile, keyFile and caFile (got " + this + ")");
      }
      if (!CLIENT_AUTH.contains(clientAuth)) {
        errors.add("security.tls.clientAuth must be one of " + CLIENT_AUTH + ", not '" + clientAuth + "'");
      }
      if (reloadSeconds < 1) {
        errors.add("security.tls.reloadSeconds must be at least 1");
      }
    }
  }

  /**
   * Deliberately broken behaviour, off by default, for showing that the fault-injection checkers
   * catch what it breaks. {@code readLocal}: linearizable reads are answered from this replica's
   * state without a read index, so a deposed or partitioned node answers stale values.
   * {@code ratis}: raw Ratis keys that weaken durability or reads, refused in {@code ratis:}
   * (see {@link RatisKeys#UNSAFE}), applied after it. {@code skipLogSync}: an entry counts as
   * persisted before its header or its payload is synced (Ratis' unsafe flush, and no WAL sync
   * of {@code raft_log}), so a power cut loses acknowledged writes.
   */
  public record Unsafe(Boolean readLocal, Map<String, String> ratis, Boolean skipLogSync) {
    public static final Unsafe DEFAULTS = new Unsafe(null, null, null);

    public Unsafe {
      readLocal = Objects.requireNonNullElse(readLocal, false);
      ratis = ratis == null ? Map.of() : Map.copyOf(ratis);
      skipLogSync = Objects.requireNonNullElse(skipLogSync, false);
    }
  }

  /** A single node with every default. */
  public static NodeConfig defaults() {
    return new NodeConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null);
  }

  /**
   * Snapshots (RocksDB checkpoints of the state): whether Ratis takes one by itself every
   * {@code autoTriggerThreshold} applied entries, and how many the node keeps on disk.
   */
  public record Snapshot(Boolean autoTrigger, Long autoTriggerThreshold, Integer retain) {
    public static final Snapshot DEFAULTS = new Snapshot(null, null, null);

    public Snapshot {
      autoTrigger = Objects.requireNonNullElse(autoTrigger, true);
      autoTriggerThreshold = Objects.requireNonNullElse(autoTriggerThreshold, 100_000L);
      retain = Objects.requireNonNullElse(retain, 2);
    }
  }

  /** Watches: how many revisions of change history each node keeps. */
  public record WatchSettings(Long historyRevisions) {
    public static final WatchSettings DEFAULTS = new WatchSettings(null);

    public WatchSettings {
      historyRevisions = Objects.requireNonNullElse(historyRevisions, 100_000L);
    }
  }

  /** A member of the Raft group: its id, peer (Raft) address and client (gRPC) address. */
  public record Peer(String id, String raftAddress, String clientAddress) {
    /** Parses {@code id=raftHost:port/clientHost:port}. */
    public static Peer parse(String spec) {
      int eq = spec.indexOf('=');
      int slash = spec.indexOf('/');
      if (eq <= 0 || slash < eq) {
        throw new IllegalArgumentException("peer '" + spec + "' is not id=raftHost:port/clientHost:port");
      }
      return new Peer(spec.substring(0, eq), spec.substring(eq + 1, slash), spec.substring(slash + 1));
    }

    @Override
    public String toString() {
      return id + "=" + raftAddress + "/" + clientAddress;
    }
  }

  /**
   * Requests over a limit are refused before they reach the log. {@code maxWriteKeys} and
   * {@code maxResultBytes} bound what one write (and one log entry) may do once applied, which
   * only the state tells: the leader stamps them, with {@code maxRangeLimit}, into each entry, so
   * every replica decides alike ({@link EntryBudget}).
   */
  public record Limits(Integer maxKeyBytes, Integer maxValueBytes, Integer maxTxnOps, Integer maxRequestBytes,
                       Integer maxRangeLimit, Integer maxWriteKeys, Integer maxResultBytes) {
    public static final Limits DEFAULTS = new Limits(null, null, null, null, null, null, null);

    public Limits {
      maxKeyBytes = Objects.requireNonNullElse(maxKeyBytes, 8 * 1024);
      maxValueBytes = Objects.requireNonNullElse(maxValueBytes, 1024 * 1024);
      maxTxnOps = Objects.requireNonNullElse(maxTxnOps, 128);
      maxRequestBytes = Objects.requireNonNullElse(maxRequestBytes, 2 * 1024 * 1024);
      maxRangeLimit = Objects.requireNonNullElse(maxRangeLimit, 10_000);
      maxWriteKeys = Objects.requireNonNullElse(maxWriteKeys, EntryBudget.DEFAULT_WRITE_KEYS);
      maxResultBytes = Objects.requireNonNullElse(maxResultBytes, EntryBudget.DEFAULT_RESULT_BYTES);
    }

    void validate(List<String> errors) {
      if (maxKeyBytes < 1 || maxValueBytes < 0 || maxTxnOps < 1 || maxRangeLimit < 1
          || maxRequestBytes < maxKeyBytes) {
        errors.add("limits must be positive and maxRequestBytes at least maxKeyBytes: " + this);
      }
      if (maxWriteKeys < maxTxnOps || maxWriteKeys > EntryBudget.MAX_WRITE_KEYS) {
        errors.add("limits.maxWriteKeys must be from limits.maxTxnOps (" + maxTxnOps + ", so that every "
            + "transaction's puts and deletes fit) to " + EntryBudget.MAX_WRITE_KEYS + ", got " + maxWriteKeys);
      }
      // Room for one value with its key and the answer's headers: a get or a put's prev_kv.
      long oneValue = (long) maxValueBytes + maxKeyBytes + 1024;
      if (maxResultBytes < oneValue || maxResultBytes > EntryBudget.MAX_RESULT_BYTES) {
        errors.add("limits.maxResultBytes must be from maxValueBytes + maxKeyBytes + 1024 (" + oneValue
            + ", so that one value always fits) to " + EntryBudget.MAX_RESULT_BYTES + " (half the Raft message "
            + "an entry's answers travel in), got " + maxResultBytes);
      }
    }
  }

  /** Bounds on work in flight per node; past them a request gets RESOURCE_EXHAUSTED at once. */
  public record Backpressure(Integer maxQueuedWrites, Integer maxInFlightBatches, Integer maxBatchOps,
                             Integer maxBatchBytes, Integer maxInFlightReads) {
    public static final Backpressure DEFAULTS = new Backpressure(null, null, null, null, null);

    public Backpressure {
      maxQueuedWrites = Objects.requireNonNullElse(maxQueuedWrites, 10_000);
      maxInFlightBatches = Objects.requireNonNullElse(maxInFlightBatches, 1);
      maxBatchOps = Objects.requireNonNullElse(maxBatchOps, 256);
      maxBatchBytes = Objects.requireNonNullElse(maxBatchBytes, 4 * 1024 * 1024);
      maxInFlightReads = Objects.requireNonNullElse(maxInFlightReads, 10_000);
    }
  }

  /** Ratis timing. */
  public record RaftTuning(Integer electionTimeoutMinMs, Integer electionTimeoutMaxMs, Integer rpcRequestTimeoutMs,
                           Integer memberChangeTimeoutMs) {
    public static final RaftTuning DEFAULTS = new RaftTuning(null, null, null, null);

    public RaftTuning {
      electionTimeoutMinMs = Objects.requireNonNullElse(electionTimeoutMinMs, 1000);
      electionTimeoutMaxMs = Objects.requireNonNullElse(electionTimeoutMaxMs, 2000);
      rpcRequestTimeoutMs = Objects.requireNonNullElse(rpcRequestTimeoutMs, 3000);
      memberChangeTimeoutMs = Objects.requireNonNullElse(memberChangeTimeoutMs, 60_000);
    }
  }

  /**
   * Bounds of the admin port's health checks. {@code maxLeaderSilenceMs} defaults to three
   * maximum election timeouts, so that it follows {@code raft:} when that is tuned.
   */
  public record Health(Long maxLeaderSilenceMs, Long maxAppliedLag, Long minFreeDiskBytes) {
    public static final Health DEFAULTS = new Health(null, null, null);

    public Health {
      maxAppliedLag = Objects.requireNonNullElse(maxAppliedLag, 1000L);
      minFreeDiskBytes = Objects.requireNonNullElse(minFreeDiskBytes, 1L << 30);
    }

    Health withDefaultsFor(RaftTuning raft) {
      return maxLeaderSilenceMs != null ? this
          : new Health(3L * raft.electionTimeoutMaxMs(), maxAppliedLag, minFreeDiskBytes);
    }
  }

  public Peer self() {
    return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("node id '" + id + "' is not among the peers " + peers));
  }

  /** Checks what the types cannot: a node must be able to start with this. */
  public NodeConfig validate() {
    List<String> errors = new ArrayList<>();
    if (id.isBlank()) {
      errors.add("id must not be blank");
    }
    if (peers.stream().noneMatch(p -> p.id().equals(id))) {
      errors.add("id '" + id + "' is not among the peers " + peers);
    }
    if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
      errors.add("peer ids must be unique: " + peers);
    }
    for (Peer p : peers) {
      checkAddress(errors, "peer " + p.id() + " raftAddress", p.raftAddress());
      checkAddress(errors, "peer " + p.id() + " clientAddress", p.clientAddress());
    }
    checkAddress(errors, "raftAddress", raftAddress);
    checkAddress(errors, "clientAddress", clientAddress);
    limits.validate(errors);
    if (backpressure.maxBatchBytes() < limits.maxRequestBytes()) {
      errors.add("backpressure.maxBatchBytes must be at least limits.maxRequestBytes");
    }
    if (blockCacheBytes < 1 << 20 || writeBufferBytes < 1 << 20) {
      errors.add("blockCacheBytes and writeBufferBytes must each be at least 1 MiB (1048576)");
    }
    if (keyCacheBytes < 0) {
      errors.add("keyCacheBytes must be 0 (no cache) or more, got " + keyCacheBytes);
    }
    if (watch.historyRevisions() < 0) {
      errors.add("watch.historyRevisions must be 0 (no watches) or more");
    }
    if (raft.memberChangeTimeoutMs() < raft.rpcRequestTimeoutMs()) {
      errors.add("raft.memberChangeTimeoutMs must be at least raft.rpcRequestTimeoutMs");
    }
    if (snapshot.autoTriggerThreshold() < 1) {
      errors.add("snapshot.autoTriggerThreshold must be at least 1");
    }
    if (snapshot.retain() < 1) {
      errors.add("snapshot.retain must be at least 1");
    }
    if (raft.electionTimeoutMinMs() >= raft.electionTimeoutMaxMs()) {
      errors.add("raft.electionTimeoutMinMs must be below raft.electionTimeoutMaxMs");
    }
    if (health.maxLeaderSilenceMs() <= raft.electionTimeoutMaxMs()) {
      errors.add("health.maxLeaderSilenceMs (" + health.maxLeaderSilenceMs()
          + ") must be above raft.electionTimeoutMaxMs (" + raft.electionTimeoutMaxMs()
          + "): a healthy group can be silent that long");
    }
    if (health.maxAppliedLag() < 1) {
      errors.add("health.maxAppliedLag must be at least 1");
    }
    if (health.minFreeDiskBytes() < 0) {
      errors.add("health.minFreeDiskBytes must not be negative");
    }
    RatisKeys.validate(ratis, unsafe.ratis(), errors);
    security.validate(errors);
    try {
      tier.validate();
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid configuration: " + String.join("; ", errors));
    }
    return this;
  }

  private static void checkAddress(List<String> errors, String what, String address) {
    if (!isHostPort(address)) {
      errors.add(what + " '" + address + "' is not host:port");
    }
  }

  /** {@code host:port} with a port from 1 to 65535. */
  public static boolean isHostPort(String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    try {
      int port = colon <= 0 ? 0 : Integer.parseInt(address.substring(colon + 1));
      return port > 0 && port <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * The {@code node:} block of a node's YAML file (the whole file when it has no such block),
   * for the command-line tools that read a node's configuration without running it.
   */
  public static NodeConfig load(Path yaml) throws IOException {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    var tree = mapper.readTree(yaml.toFile());
    if (tree == null || !tree.isObject()) {
      throw new IOException(yaml + " is not a YAML mapping");
    }
    return mapper.treeToValue(tree.has("node") ? tree.get("node") : tree, NodeConfig.class);
  }

  public NodeConfig withOverrides(String id, Path dataDir, String raftAddress, String clientAddress, List<Peer> peers) {
    String newId = id != null ? id : this.id;
    List<Peer> newPeers = peers != null && !peers.isEmpty() ? peers : this.peers;
    Peer listed = newPeers.stream().filter(p -> p.id().equals(newId)).findFirst().orElse(null);
    return new NodeConfig(newId, cluster, dataDir != null ? dataDir : this.dataDir,
        raftAddress != null ? raftAddress : listed != null ? listed.raftAddress() : this.raftAddress,
        clientAddress != null ? clientAddress : listed != null ? listed.clientAddress() : this.clientAddress,
        newPeers, limits, backpressure, raft, health, requestTimeoutMs, blockCacheBytes, writeBufferBytes, keyCacheBytes,
        ratis,
        watch, join, snapshot, tier, unsafe, security);
  }
}
