package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rocksraft.api.v1.GetResponse;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.api.v1.WriteId;
import io.rocksraft.client.KvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A retried write is applied once, also across a leader kill. */
class ExactlyOnceTest {
  private static TestCluster t;

  @BeforeAll
  static void startCluster() throws Exception {
    t = TestCluster.start(3);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void concurrentCasIncrementsAcrossALeaderKillEndWithTheExactCount() throws Exception {
    ByteString counter = b("counter");
    KvClient setup = t.client();
    setup.put(counter, b("0"));
    int clients = 4;
    int incrementsEach = 40;
    AtomicInteger done = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int c = 0; c < clients; c++) {
      KvClient client = KvClient.builder().endpoints(t.cluster.clientAddresses()).timeout(Duration.ofSeconds(60)).build();
      Thread th = new Thread(() -> {
        try (client) {
          for (int i = 0; i < incrementsEach; ) {
            GetResponse now = client.get(counter);
            long value = Long.parseLong(now.getKv().getValue().toStringUtf8());
            // If the first attempt committed and its answer was lost, the retry must get
            // "succeeded" back; running it again would fail the compare and count twice.
            if (client.compareAndPut(counter, now.getKv().getModRevision(), b(Long.toString(value + 1)))) {
              i++;
              done.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      th.start();
      workers.add(th);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= clients * incrementsEach / 3);
    String leader = t.leader();
    t.cluster.kill(leader);
    for (Thread th : workers) {
      th.join(Duration.ofMinutes(3).toMillis());
    }
    assertThat(failures).isEmpty();
    assertThat(done.get()).isEqualTo(clients * incrementsEach);
    assertThat(setup.get(counter).getKv().getValue().toStringUtf8()).isEqualTo(Integer.toString(clients * incrementsEach));
    t.cluster.start(leader);
    t.leader();
  }

  @Test
  void aWriteRepeatedWithItsIdIsAppliedOnceAndAnsweredTheSame() throws Exception {
    KVGrpc.KVBlockingStub stub = t.rawStub(t.leader());
    WriteId id = WriteId.newBuilder().setClientId(b("retrying-client")).setSequence(1).setFirstIncomplete(1).build();
    PutRequest put = PutRequest.newBuilder().setKey(b("once")).setValue(b("v")).setId(id).build();

    PutResponse first = stub.put(put);
    PutResponse again = stub.put(put);

    assertThat(again.getHeader().getRevision()).isEqualTo(first.getHeader().getRevision());
    GetResponse stored = t.client().get(b("once"));
    assertThat(stored.getKv().getVersion()).as("applied once").isEqualTo(1);
    assertThat(stored.getKv().getModRevision()).isEqualTo(first.getHeader().getRevision());
  }

  @Test
  void aWriteTheClientAlreadyAcknowledgedIsRefused() throws Exception {
    KVGrpc.KVBlockingStub stub = t.rawStub(t.leader());
    ByteString client = b("acknowledging-client");
    stub.put(PutRequest.newBuilder().setKey(b("ack")).setValue(b("1"))
        .setId(WriteId.newBuilder().setClientId(client).setSequence(1).setFirstIncomplete(1)).build());
    // Sequence 2 tells the server that the answer to 1 has been received.
    stub.put(PutRequest.newBuilder().setKey(b("ack")).setValue(b("2"))
        .setId(WriteId.newBuilder().setClientId(client).setSequence(2).setFirstIncomplete(2)).build());

    assertThatThrownBy(() -> stub.put(PutRequest.newBuilder().setKey(b("ack")).setValue(b("1"))
        .setId(WriteId.newBuilder().setClientId(client).setSequence(1).setFirstIncomplete(1)).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    assertThat(t.client().get(b("ack")).getKv().getValue().toStringUtf8()).isEqualTo("2");
  }

  @Test
  void sessionsSurviveARestartOfEveryNode() throws Exception {
    WriteId id = WriteId.newBuilder().setClientId(b("restart-client")).setSequence(7).setFirstIncomplete(7).build();
    PutRequest put = PutRequest.newBuilder().setKey(b("durable-once")).setValue(b("v")).setId(id).build();
    PutResponse first = t.rawStub(t.leader()).put(put);

    for (var n : t.cluster.nodes()) {
      t.cluster.stop(n.id(), Duration.ofSeconds(20));
    }
    t.cluster.startAll();
    PutResponse again = t.rawStub(t.leader()).put(put);

    assertThat(again.getHeader().getRevision()).isEqualTo(first.getHeader().getRevision());
    assertThat(t.client().get(b("durable-once")).getKv().getVersion()).isEqualTo(1);
  }
}
