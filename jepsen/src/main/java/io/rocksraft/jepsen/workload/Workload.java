package io.rocksraft.jepsen.workload;

import io.rocksraft.client.KvClient;
import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Recorder;
import java.util.Random;

/**
 * A workload: what the clients do, each step recorded as an invocation and its completion, and
 * the checker that judges the history.
 */
public interface Workload {
  /** Its name, also the history file's: {@code register} writes {@code register.jsonl}. */
  String name();

  /** Before the clients start: initial state (fails the run when it cannot be made). */
  default void setUp(KvClient client) {
  }

  /** One operation of {@code process}, recorded in {@code recorder}. */
  void step(int process, KvClient client, Recorder recorder, Random random);

  /** After the clients stopped and the faults healed: final operations such as a last read. */
  default void finish(int process, KvClient client, Recorder recorder) {
  }

  CheckResult check(History history);
}
