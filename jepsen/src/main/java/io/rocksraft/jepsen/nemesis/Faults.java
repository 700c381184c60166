package io.rocksraft.jepsen.nemesis;

import java.util.List;

/** What the nemesis can do to a cluster's nodes: the container cluster implements it. */
public interface Faults {
  /** The node ids, e.g. {@code n1..n3}. */
  List<String> nodes();

  /** SIGKILL the node's process; it stays down until {@link #start}. */
  void kill(String node) throws Exception;

  void start(String node) throws Exception;

  /** SIGSTOP: the node freezes with its connections open. */
  void pause(String node) throws Exception;

  /** SIGCONT. */
  void resume(String node) throws Exception;

  /**
   * Replaces any partition with one that cuts the network between nodes of different
   * {@code sides} (both directions); a node on no side still reaches every node (a bridge).
   */
  void partition(List<List<String>> sides) throws Exception;

  /** Removes every partition. */
  void heal() throws Exception;

  /** Kills the node, deletes its data directory and starts it again (it recovers from its peers or the bucket). */
  void wipe(String node) throws Exception;

  /**
   * Kills the node, deletes its data and starts it as a new member waiting to be added
   * ({@code join: true}); used after it was removed from the group.
   */
  void restartAsJoiner(String node) throws Exception;

  /** The node's Raft and gRPC addresses as the other members reach them. */
  String raftAddress(String node);

  String clientAddress(String node);
}
