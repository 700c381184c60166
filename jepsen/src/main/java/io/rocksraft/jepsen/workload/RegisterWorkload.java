package io.rocksraft.jepsen.workload;

import static io.rocksraft.jepsen.workload.Values.JSON;
import static io.rocksraft.jepsen.workload.Values.bytes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.rocksraft.api.v1.GetResponse;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.client.KvClient;
import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.checker.LinearizabilityChecker;
import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Op;
import io.rocksraft.jepsen.history.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * {@code register}: reads, writes and compare-and-sets of small integers on a few keys, each key
 * a register; checked for linearizability. Reads are linearizable reads (the default); a
 * compare-and-set is a transaction comparing the value.
 */
public final class RegisterWorkload implements Workload {
  private final int keys;
  private final Duration checkBudget;

  public RegisterWorkload(int keys, Duration checkBudget) {
    this.keys = keys;
    this.checkBudget = checkBudget;
  }

  @Override
  public String name() {
    return "register";
  }

  @Override
  public void step(int process, KvClient client, Recorder recorder, Random random) {
    String key = "reg/k" + random.nextInt(keys);
    switch (random.nextInt(3)) {
      case 0 -> read(process, client, recorder, key);
      case 1 -> write(process, client, recorder, key, random.nextInt(5));
      default -> cas(process, client, recorder, key, random.nextInt(5), random.nextInt(5));
    }
  }

  private static void read(int process, KvClient client, Recorder recorder, String key) {
    Op invoke = recorder.invoke(process, "read", key, null);
    try {
      GetResponse r = client.get(bytes(key));
      JsonNode value = r.getFound() ? JSON.valueToTree(Integer.parseInt(r.getKv().getValue().toStringUtf8()))
          : NullNode.getInstance();
      recorder.complete(invoke, Op.Type.ok, value);
    } catch (RuntimeException e) {
      recorder.complete(invoke, Outcomes.of(e, false), null);
    }
  }

  private static void write(int process, KvClient client, Recorder recorder, String key, int value) {
    Op invoke = recorder.invoke(process, "write", key, JSON.valueToTree(value));
    try {
      client.put(bytes(key), bytes(value));
      recorder.complete(invoke, Op.Type.ok, invoke.value());
    } catch (RuntimeException e) {
      recorder.complete(invoke, Outcomes.of(e, true), invoke.value());
    }
  }

  private static void cas(int process, KvClient client, Recorder recorder, String key, int expected, int next) {
    Op invoke = recorder.invoke(process, "cas", key, JSON.valueToTree(List.of(expected, next)));
    TxnRequest txn = TxnRequest.newBuilder().addCompares(Values.valueIs(key, expected))
        .addSuccess(Values.put(key, next)).build();
    try {
      boolean applied = client.txn(txn).getSucceeded();
      recorder.complete(invoke, applied ? Op.Type.ok : Op.Type.fail, invoke.value());
    } catch (RuntimeException e) {
      recorder.complete(invoke, Outcomes.of(e, true), invoke.value());
    }
  }

  @Override
  public CheckResult check(History history) {
    return new LinearizabilityChecker(checkBudget).check(history);
  }
}
