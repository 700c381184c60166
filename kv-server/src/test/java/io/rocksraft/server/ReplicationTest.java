package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Consistency;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.api.v1.ReadOptions;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three node JVMs on loopback: forwarding, leader loss, catch-up. */
class ReplicationTest {
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
  void followerForwardsWriteToLeader() throws Exception {
    String leader = t.leader();
    String follower = t.followers(leader).get(0);
    KvClient viaFollower = t.client(follower);

    PutResponse put = viaFollower.put(b("fwd/1"), b("through a follower"));

    assertThat(put.getHeader().getMemberId()).as("the answer is the leader's").isEqualTo(leader);
    assertThat(t.client(leader).get(b("fwd/1")).getKv().getValue().toStringUtf8()).isEqualTo("through a follower");
  }

  @Test
  void killingTheLeaderLosesNoAcknowledgedWrite() throws Exception {
    KvClient client = t.client();
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      Thread th = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          String key = "kill/" + writer + "/" + i;
          try {
            client.put(b(key), b("v" + i));
            acknowledged.put(key, "v" + i);
          } catch (RuntimeException e) {
            // Outcome unknown: not counted as acknowledged.
          }
        }
      });
      th.start();
      writers.add(th);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 300);
    String oldLeader = t.leader();
    t.cluster.kill(oldLeader);

    long killedAt = System.nanoTime();
    String newLeader = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> t.followers(oldLeader).stream().map(t::status).flatMap(java.util.Optional::stream)
            .filter(s -> "LEADER".equals(s.getRole())).map(StatusResponse::getMemberId).findFirst().orElse(null),
            id -> id != null);
    int atKill = acknowledged.size();
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= atKill + 300);
    stop.set(true);
    for (Thread th : writers) {
      th.join();
    }
    System.out.printf("new leader %s serving %.1f s after SIGKILL of %s%n", newLeader,
        (System.nanoTime() - killedAt) / 1e9, oldLeader);

    for (Map.Entry<String, String> e : acknowledged.entrySet()) {
      assertThat(client.get(b(e.getKey())).getKv().getValue().toStringUtf8()).as(e.getKey()).isEqualTo(e.getValue());
    }
    Set<String> scanned = client.scanPrefix(b("kill/")).stream().map(kv -> kv.getKey().toStringUtf8())
        .collect(Collectors.toSet());
    assertThat(scanned).containsAll(acknowledged.keySet());

    t.cluster.start(oldLeader);
    t.awaitCaughtUp(oldLeader);
    t.assertReplicasAgree(client);
  }

  @Test
  void nodeDownDuringThousandsOfWritesCatchesUp() throws Exception {
    KvClient client = t.client();
    String leader = t.leader();
    String down = t.followers(leader).get(1);
    t.cluster.kill(down);

    int writes = 3000;
    TestCluster.putMany(client, "lag/", writes);

    t.cluster.start(down);
    t.awaitCaughtUp(down);

    List<KeyValue> onFollower = t.scanOn(down, "lag/");
    assertThat(onFollower).hasSize(writes);
    assertThat(onFollower.get(1234).getValue().toStringUtf8()).isEqualTo("value-1234");
    t.assertReplicasAgree(client);
  }

  @Test
  void followerAnswersALinearizableReadAndNamesTheLeader() throws Exception {
    String leader = t.leader();
    String follower = t.followers(leader).get(0);
    t.client(leader).put(b("lin/1"), b("v"));

    var read = t.client(follower).get(b("lin/1"));

    assertThat(read.getHeader().getMemberId()).isEqualTo(follower);
    assertThat(read.getHeader().getLeaderId()).isEqualTo(leader);
    assertThat(read.getKv().getValue().toStringUtf8()).isEqualTo("v");
  }

  @Test
  void clientSendsLinearizableReadsToTheLeaderAndFollowerReadsToEveryNode() throws Exception {
    String leader = t.leader();
    t.client(leader).put(b("route/1"), b("v"));
    // A fresh client over every node; the leader it learns from its first answer.
    KvClient all = t.client();
    all.get(b("route/1"));

    Set<String> linearizable = new HashSet<>();
    Set<String> follower = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      linearizable.add(all.get(b("route/1")).getHeader().getMemberId());
      follower.add(all.get(GetRequest.newBuilder().setKey(b("route/1"))
          .setRead(ReadOptions.newBuilder().setConsistency(Consistency.FOLLOWER)).build()).getHeader().getMemberId());
    }

    assertThat(linearizable).containsExactly(leader);
    assertThat(follower).hasSize(3);
  }

  @Test
  void callbacksThatBlockOnTheClientDoNotStarveItsAnswerPool() throws Exception {
    KvClient kv = t.client();
    // Four times the pool's largest size: had the pool a fixed size, every thread would wait in a
    // sync get whose answer needs one of them, and nothing would complete.
    List<CompletableFuture<String>> chained = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      ByteString key = b("chain/" + i);
      chained.add(kv.async().put(key, b("v" + i))
          .thenApply(put -> kv.get(key).getKv().getValue().toStringUtf8()));
    }

    List<String> values = CompletableFuture.allOf(chained.toArray(CompletableFuture[]::new))
        .thenApply(v -> chained.stream().map(CompletableFuture::join).toList())
        .get(30, TimeUnit.SECONDS);

    assertThat(values).hasSize(16).allMatch(v -> v.startsWith("v"));
    assertThat(values.get(15)).isEqualTo("v15");
  }

  @Test
  void clientCanSpreadLinearizableReadsOverEveryNode() throws Exception {
    t.client(t.leader()).put(b("spread/1"), b("v"));
    try (KvClient spreading = KvClient.builder().endpoints(t.cluster.clientAddresses())
        .linearizableReadsAtLeader(false).build()) {
      Set<String> answered = new HashSet<>();
      for (int i = 0; i < 12; i++) {
        answered.add(spreading.get(b("spread/1")).getHeader().getMemberId());
      }
      assertThat(answered).hasSize(3);
    }
  }

  @Test
  void linearizableReadsFollowTheLeaderAfterATransfer() throws Exception {
    KvClient all = t.client();
    all.put(b("move/1"), b("v"));
    String before = all.get(b("move/1")).getHeader().getMemberId();

    String after = all.transferLeadership("");

    // The old leader still answers the first read, and its answer names the new leader.
    assertThat(after).isNotEqualTo(before);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> all.get(b("move/1")).getHeader().getMemberId(), after::equals);
    for (int i = 0; i < 5; i++) {
      assertThat(all.get(b("move/1")).getHeader().getMemberId()).isEqualTo(after);
    }
  }

  @Test
  void followerReadWithMinIndexSeesTheClientsOwnWrite() throws Exception {
    String leader = t.leader();
    String follower = t.followers(leader).get(0);
    PutResponse put = t.client(leader).put(b("ryw/1"), b("fresh"));

    var read = t.client(follower).get(GetRequest.newBuilder().setKey(b("ryw/1"))
        .setRead(ReadOptions.newBuilder().setConsistency(Consistency.FOLLOWER)
            .setMinIndex(put.getHeader().getRaftIndex())).build());

    assertThat(read.getHeader().getMemberId()).isEqualTo(follower);
    assertThat(read.getKv().getValue().toStringUtf8()).isEqualTo("fresh");
  }
}
