package io.rocksraft.jepsen.workload;

import static io.rocksraft.jepsen.workload.Values.JSON;
import static io.rocksraft.jepsen.workload.Values.bytes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.rocksraft.api.v1.GetResponse;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.client.KvClient;
import io.rocksraft.jepsen.checker.BankChecker;
import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Op;
import io.rocksraft.jepsen.history.Recorder;
import java.util.Map;
import java.util.Random;

/**
 * {@code bank}: accounts {@code bank/0..n-1}; a transfer reads two balances and moves an amount
 * in a transaction that compares both values first (so it applies only to what it read); a read
 * lists every account in one range read (one revision). Checked: every read totals the start.
 */
public final class BankWorkload implements Workload {
  private static final String PREFIX = "bank/";
  private final int accounts;
  private final long perAccount;

  public BankWorkload(int accounts, long perAccount) {
    this.accounts = accounts;
    this.perAccount = perAccount;
  }

  @Override
  public String name() {
    return "bank";
  }

  @Override
  public void setUp(KvClient client) {
    for (int i = 0; i < accounts; i++) {
      client.put(bytes(PREFIX + i), bytes(perAccount));
    }
  }

  @Override
  public void step(int process, KvClient client, Recorder recorder, Random random) {
    if (random.nextInt(4) == 0) {
      read(process, client, recorder);
    } else {
      int from = random.nextInt(accounts);
      int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
      transfer(process, client, recorder, from, to, 1 + random.nextInt(5));
    }
  }

  private void read(int process, KvClient client, Recorder recorder) {
    Op invoke = recorder.invoke(process, "read", "bank", null);
    try {
      RangeResponse r = client.range(RangeRequest.newBuilder().setPrefix(bytes(PREFIX)).build());
      ArrayNode balances = JSON.createArrayNode();
      for (KeyValue kv : r.getKvsList()) {
        balances.add(Long.parseLong(kv.getValue().toStringUtf8()));
      }
      recorder.complete(invoke, Op.Type.ok, balances);
    } catch (RuntimeException e) {
      recorder.complete(invoke, Op.Type.fail, null);
    }
  }

  private static void transfer(int process, KvClient client, Recorder recorder, int from, int to, long amount) {
    Op invoke = recorder.invoke(process, "transfer", "bank",
        JSON.valueToTree(Map.of("from", from, "to", to, "amount", amount)));
    long fromBalance;
    long toBalance;
    try {
      fromBalance = balance(client, from);
      toBalance = balance(client, to);
    } catch (RuntimeException e) {
      recorder.complete(invoke, Op.Type.fail, invoke.value()); // nothing written yet
      return;
    }
    if (fromBalance < amount) {
      recorder.complete(invoke, Op.Type.fail, invoke.value());
      return;
    }
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompares(Values.valueIs(PREFIX + from, fromBalance)).addCompares(Values.valueIs(PREFIX + to, toBalance))
        .addSuccess(Values.put(PREFIX + from, fromBalance - amount))
        .addSuccess(Values.put(PREFIX + to, toBalance + amount))
        .build();
    try {
      boolean applied = client.txn(txn).getSucceeded();
      recorder.complete(invoke, applied ? Op.Type.ok : Op.Type.fail, invoke.value());
    } catch (RuntimeException e) {
      recorder.complete(invoke, Outcomes.of(e, true), invoke.value());
    }
  }

  private static long balance(KvClient client, int account) {
    GetResponse r = client.get(bytes(PREFIX + account));
    return Long.parseLong(r.getKv().getValue().toStringUtf8());
  }


  @Override
  public CheckResult check(History history) {
    return new BankChecker(accounts, accounts * perAccount).check(history);
  }
}
