package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.client.KvClientException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Backpressure, lost quorum and deadlines, with a small queue and a short request timeout. */
class AvailabilityTest {
  private static TestCluster t;

  @BeforeAll
  static void startCluster() throws Exception {
    t = TestCluster.start(3, """
        requestTimeoutMs: 3000
        backpressure:
          maxQueuedWrites: 4
          maxInFlightBatches: 1
          maxBatchOps: 1
        """);
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
  void writesPastTheQueueBoundAreRefusedWithResourceExhausted() throws Exception {
    KVGrpc.KVStub stub = KVGrpc.newStub(t.rawStub(t.leader()).getChannel());
    int requests = 300;
    Map<Status.Code, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(requests);
    for (int i = 0; i < requests; i++) {
      stub.put(PutRequest.newBuilder().setKey(b("bp/" + i)).setValue(b("v")).build(), new StreamObserver<>() {
        @Override
        public void onNext(PutResponse value) {
          outcomes.computeIfAbsent(Status.Code.OK, c -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void onError(Throwable e) {
          outcomes.computeIfAbsent(Status.fromThrowable(e).getCode(), c -> new AtomicInteger()).incrementAndGet();
          done.countDown();
        }

        @Override
        public void onCompleted() {
          done.countDown();
        }
      });
    }
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(outcomes.keySet()).containsOnly(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED);
    assertThat(outcomes.get(Status.Code.RESOURCE_EXHAUSTED).get()).isPositive();
    assertThat(outcomes.get(Status.Code.OK).get()).isPositive();
  }

  @Test
  void withoutQuorumWritesFailUnavailableAndDeadlinesAreHonoured() throws Exception {
    String leader = t.leader();
    List<String> followers = t.followers(leader);
    KVGrpc.KVBlockingStub stub = t.rawStub(leader);
    stub.put(PutRequest.newBuilder().setKey(b("q/before")).setValue(b("v")).build());
    for (String f : followers) {
      t.cluster.kill(f);
    }
    try {
      assertThatThrownBy(() -> stub.withDeadlineAfter(500, TimeUnit.MILLISECONDS)
          .put(PutRequest.newBuilder().setKey(b("q/deadline")).setValue(b("v")).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

      assertThatThrownBy(() -> stub.put(PutRequest.newBuilder().setKey(b("q/none")).setValue(b("v")).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("quorum");
          });

      assertThatThrownBy(() -> stub.get(GetRequest.newBuilder().setKey(b("q/before")).build()))
          .as("a linearizable read needs a quorum too")
          .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
              assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED));

      try (KvClient client = KvClient.builder().endpoints(t.cluster.node(leader).clientAddress())
          .timeout(java.time.Duration.ofSeconds(5)).build()) {
        assertThatThrownBy(() -> client.put(b("q/client"), b("v")))
            .isInstanceOf(KvClientException.Unavailable.class);
      }
    } finally {
      for (String f : followers) {
        t.cluster.start(f);
      }
    }
    t.leader();
    try (KvClient client = t.client()) {
      client.put(b("q/after"), b("v"));
      assertThat(client.get(b("q/before")).getFound()).isTrue();
    }
  }

  @Test
  void aFollowerForwardsWritesAgainAfterItsForwardingGaveUpDuringAQuorumLoss() throws Exception {
    String leader = t.leader();
    List<String> followers = t.followers(leader);
    String survivor = followers.get(0);
    KVGrpc.KVBlockingStub viaSurvivor = t.rawStub(survivor);
    t.cluster.kill(leader);
    t.cluster.kill(followers.get(1));
    try {
      // Forwarding has nowhere to go; the node's Ratis client retries, then gives up.
      assertThatThrownBy(() -> viaSurvivor.withDeadlineAfter(20, TimeUnit.SECONDS)
          .put(PutRequest.newBuilder().setKey(b("fwd/lost")).setValue(b("v")).build()))
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      t.cluster.start(leader);
      t.cluster.start(followers.get(1));
    }
    t.leader();
    await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> viaSurvivor.withDeadlineAfter(5, TimeUnit.SECONDS)
            .put(PutRequest.newBuilder().setKey(b("fwd/after")).setValue(b("v")).build()) != null);
    try (KvClient client = t.client()) {
      assertThat(client.get(b("fwd/after")).getFound()).isTrue();
    }
  }
}
