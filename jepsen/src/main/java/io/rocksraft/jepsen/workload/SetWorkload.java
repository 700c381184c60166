package io.rocksraft.jepsen.workload;

import static io.rocksraft.jepsen.workload.Values.JSON;
import static io.rocksraft.jepsen.workload.Values.bytes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.checker.SetChecker;
import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Op;
import io.rocksraft.jepsen.history.Recorder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code set}: every add puts a key of its own ({@code set/<element>}), unique across the run;
 * after the faults heal, one read lists the prefix page by page. Checked for lost and unexpected
 * elements.
 */
public final class SetWorkload implements Workload {
  private static final String PREFIX = "set/";
  private static final int FINAL_READ_ATTEMPTS = 10;
  private final AtomicLong next = new AtomicLong();

  @Override
  public String name() {
    return "set";
  }

  @Override
  public void step(int process, KvClient client, Recorder recorder, Random random) {
    long element = next.getAndIncrement();
    Op invoke = recorder.invoke(process, "add", "set", JSON.valueToTree(element));
    try {
      client.put(ByteString.copyFromUtf8(PREFIX + element), ByteString.copyFromUtf8("1"));
      recorder.complete(invoke, Op.Type.ok, invoke.value());
    } catch (RuntimeException e) {
      recorder.complete(invoke, Outcomes.of(e, true), invoke.value());
    }
  }

  @Override
  public void finish(int process, KvClient client, Recorder recorder) {
    for (int attempt = 0; attempt < FINAL_READ_ATTEMPTS; attempt++) {
      Op invoke = recorder.invoke(process, "read", "set", null);
      try {
        ArrayNode elements = JSON.createArrayNode();
        RangeRequest.Builder req = RangeRequest.newBuilder().setPrefix(ByteString.copyFromUtf8(PREFIX));
        while (true) {
          RangeResponse page = client.range(req.build());
          for (KeyValue kv : page.getKvsList()) {
            elements.add(Long.parseLong(kv.getKey().toStringUtf8().substring(PREFIX.length())));
          }
          if (!page.getMore()) {
            break;
          }
          req.setStart(page.getNextStart());
        }
        recorder.complete(invoke, Op.Type.ok, elements);
        return;
      } catch (RuntimeException e) {
        recorder.complete(invoke, Op.Type.fail, null);
      }
    }
  }

  @Override
  public CheckResult check(History history) {
    return new SetChecker().check(history);
  }
}
