package io.rocksraft.server.config;

import java.util.List;
import java.util.Map;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys.Log;
import org.apache.ratis.server.RaftServerConfigKeys.Read;

/**
 * Which raw Ratis keys a node's YAML may set, and where. A key that weakens "durable before
 * acknowledged" or linearizable reads goes only under {@code unsafe.ratis}; a key the node sets
 * from one of its own options goes nowhere (the option is the one place for it); every other key
 * passes through {@code ratis:}. A key is judged by its name whatever its value: the node already
 * runs with the safe one.
 */
final class RatisKeys {
  /** Each unsafe key and what it breaks here (Ratis 3.2.2). */
  static final Map<String, String> UNSAFE = Map.of(
      Log.UNSAFE_FLUSH_ENABLED_KEY,
      "the log counts an entry as on disk before its fsync, so a power cut loses acknowledged writes",
      Log.ASYNC_FLUSH_ENABLED_KEY,
      "the log counts entries as on disk when an fsync ends, even a failed one, and up to the last entry"
          + " written by then, which that fsync may not cover",
      Log.StateMachineData.SYNC_KEY,
      "turned off, the log writes and counts an entry's header without waiting for its payload's write,"
          + " so an entry whose payload failed to reach raft_log is acknowledged",
      Log.USE_MEMORY_KEY,
      "the Raft log is kept in memory only",
      Log.CORRUPTION_POLICY_KEY,
      "WARN_AND_RETURN drops a corrupt log's tail at start, entries this node may have acknowledged,"
          + " and lets it vote as if it never had them",
      Read.OPTION_KEY,
      "DEFAULT answers linearizable reads from this replica's state without a read index",
      Read.LEADER_LEASE_ENABLED_KEY,
      "the leader answers linearizable reads under a lease that trusts clocks and pauses to stay bounded");

  /** Each key the node sets from its own options, and those options. */
  static final Map<String, String> OWNED = Map.ofEntries(
      Map.entry(RaftConfigKeys.Rpc.TYPE_KEY,
          "the node's own transport, raft.PurgeSafeGrpc, whose log appender keeps a follower at the start of"
              + " a purged log catching up"),
      Map.entry(GrpcConfigKeys.Server.HOST_KEY, "raftAddress"),
      Map.entry(GrpcConfigKeys.Server.PORT_KEY, "raftAddress"),
      Map.entry(RaftServerConfigKeys.STORAGE_DIR_KEY, "dataDir"),
      Map.entry(RaftServerConfigKeys.Rpc.TIMEOUT_MIN_KEY, "raft.electionTimeoutMinMs"),
      Map.entry(RaftServerConfigKeys.Rpc.TIMEOUT_MAX_KEY, "raft.electionTimeoutMaxMs"),
      Map.entry(RaftClientConfigKeys.Rpc.REQUEST_TIMEOUT_KEY, "raft.rpcRequestTimeoutMs"),
      Map.entry(RaftClientConfigKeys.Async.OUTSTANDING_REQUESTS_MAX_KEY, "backpressure.maxInFlightBatches"),
      Map.entry(RaftServerConfigKeys.Snapshot.AUTO_TRIGGER_ENABLED_KEY, "snapshot.autoTrigger"),
      Map.entry(RaftServerConfigKeys.Snapshot.AUTO_TRIGGER_THRESHOLD_KEY, "snapshot.autoTriggerThreshold"),
      Map.entry(Log.Appender.INSTALL_SNAPSHOT_ENABLED_KEY, "tier.enabled"),
      Map.entry(Log.Appender.BUFFER_BYTE_LIMIT_KEY, "backpressure.maxBatchBytes"),
      Map.entry(Log.WRITE_BUFFER_SIZE_KEY, "backpressure.maxBatchBytes"));

  private RatisKeys() {}

  /** Adds an error for each key that {@code ratis:} or {@code unsafe.ratis} may not hold. */
  static void validate(Map<String, String> ratis, Map<String, String> unsafeRatis, List<String> errors) {
    for (String raw : ratis.keySet()) {
      String key = raw.trim();
      if (UNSAFE.containsKey(key)) {
        errors.add("ratis: " + key + " is unsafe (" + UNSAFE.get(key) + "); to run with it anyway, put it under"
            + " unsafe.ratis");
      }
      owned("ratis", key, errors);
    }
    for (String raw : unsafeRatis.keySet()) {
      String key = raw.trim();
      if (!owned("unsafe.ratis", key, errors) && !UNSAFE.containsKey(key)) {
        errors.add("unsafe.ratis: " + key + " is not an unsafe Ratis key (those are " + UNSAFE.keySet().stream()
            .sorted().toList() + "); put it under ratis");
      }
    }
  }

  private static boolean owned(String block, String key, List<String> errors) {
    if (!OWNED.containsKey(key)) {
      return false;
    }
    errors.add(block + ": " + key + " is set by the node from " + OWNED.get(key) + "; the raw key may not override it");
    return true;
  }
}
