package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.api.v1.WriteId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writes without an identity of the client's own (REST) are applied once across the faults
 * that make a node send a batch twice: a leader that steps down with appended entries, a
 * leader paused under load; and a retry is answered from the session table whatever one
 * node's wall clock says.
 */
class ExactlyOnceAcrossFaultsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  /** libfaketime from Debian's package (./verify installs it): a node whose wall clock runs ahead. */
  private static final String LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  private static TestCluster t;

  @BeforeAll
  static void startCluster() throws Exception {
    // A long request timeout: a write waits out the elections below instead of failing.
    t = TestCluster.start(3, "requestTimeoutMs: 30000\n");
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

  private static CompletableFuture<HttpResponse<String>> restPut(String node, String key, String value) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + t.cluster.node(node).restAddress() + "/v1/kv/" + key))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"" + value + "\"}")).build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private static long version(String key) {
    return t.client().get(b(key)).getKv().getVersion();
  }

  /** The role the node reports of itself over REST (its own view, whatever the others say). */
  private static String role(String node) throws Exception {
    Rest.Answer status = Rest.send(t.cluster.node(node).restAddress(), "GET", "/v1/cluster", null);
    return status.status() == 200 ? status.body().get("role").asText() : "";
  }

  /**
   * The leader appends a REST write, loses its followers and steps down: Ratis answers the
   * write "not leader" although the entry is in its log. The node sends the batch on to the
   * next leader. That is the old leader or the follower resumed first, and whichever wins has
   * the entry (the other votes only for a log at least as long as its own), so it also commits
   * the first copy: both copies reach the state machine.
   */
  @Test
  void aRestWriteWhoseLeaderStepsDownAfterAppendingItIsAppliedOnce() throws Exception {
    String leader = t.leader();
    List<String> followers = t.followers(leader);
    CompletableFuture<HttpResponse<String>> put;
    t.cluster.pause(followers.get(0));
    t.cluster.pause(followers.get(1));
    try {
      put = restPut(leader, "stepdown/once", "v1");
      // No heartbeat answers from a majority for an election timeout: the leader steps down.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> !role(leader).equals("LEADER"));
      assertThat(put).isNotDone();
      t.cluster.resume(followers.get(0));
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> role(leader).equals("LEADER") || role(followers.get(0)).equals("LEADER"));
    } finally {
      t.cluster.resume(followers.get(0));
      t.cluster.resume(followers.get(1));
    }
    HttpResponse<String> answer = put.get(60, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    t.leader();

    assertThat(version("stepdown/once")).as("one PUT, applied once").isEqualTo(1);
  }

  /**
   * The run of issue 22: REST writers round-robin over every node, each to its own key with
   * unique values, while the leader is frozen for 2.5 s again and again. A key's version counts
   * the writes applied to it: never more than the writes answered plus those whose outcome is
   * unknown, never fewer than the answered ones.
   */
  @Test
  void restWritersAcrossLeaderPausesHaveEveryAnsweredWriteAppliedOnce() throws Exception {
    int writers = 4;
    List<String> nodes = t.cluster.nodes().stream().map(n -> n.id()).toList();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong progress = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<long[]>> counts = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      counts.add(pool.submit(() -> {
        long answered = 0;
        long unknown = 0;
        for (int i = 0; !stop.get(); i++) {
          try {
            HttpResponse<String> r = restPut(nodes.get(i % nodes.size()), "paused/" + writer, writer + "-" + i)
                .get(90, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
              answered++;
              progress.incrementAndGet();
            } else {
              unknown++;
            }
          } catch (Exception e) {
            unknown++;
          }
        }
        return new long[] {answered, unknown};
      }));
    }
    try {
      for (int pause = 0; pause < 4; pause++) {
        String leader = t.leader();
        long before = progress.get();
        // Each pause finds the writers going again after the last one healed.
        await().atMost(Duration.ofSeconds(60)).until(() -> progress.get() >= before + 40);
        t.cluster.pause(leader);
        try {
          Thread.sleep(2500); // the length of the fault, not a wait for something to happen
        } finally {
          t.cluster.resume(leader);
        }
      }
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(3, TimeUnit.MINUTES)).isTrue();
    t.leader();
    for (int w = 0; w < writers; w++) {
      long[] c = counts.get(w).get();
      long applied = version("paused/" + w);
      assertThat(applied).as("writer %d: %d answered, %d unknown", w, c[0], c[1])
          .isBetween(c[0], c[0] + c[1]);
    }
  }

  /**
   * A node whose wall clock runs two hours ahead proposes a write. The exactly-once table must
   * still answer a retry of an earlier write from its stored answer: its session is seconds
   * old, whatever that node's clock says.
   */
  @Test
  void aRetryIsAnsweredFromTheSessionTableWhenOneNodesClockRunsTwoHoursAhead() throws Exception {
    String ahead = "n3";
    String other = "n1";
    WriteId id = WriteId.newBuilder().setClientId(b("clock-client")).setSequence(1).setFirstIncomplete(1).build();
    PutRequest write = PutRequest.newBuilder().setKey(b("clock/once")).setValue(b("v")).setId(id).build();
    PutResponse first = t.rawStub(other).put(write);
    t.cluster.stop(ahead, Duration.ofSeconds(20));
    // Monotonic clocks stay true (as they do when NTP steps the wall clock); without the
    // monotonic fix libfaketime slows every timed wait of the JVM tenfold.
    t.cluster.start(ahead, List.of(), Map.of("LD_PRELOAD", LIBFAKETIME, "FAKETIME", "+2h",
        "FAKETIME_DONT_FAKE_MONOTONIC", "1", "FAKETIME_FORCE_MONOTONIC_FIX", "0"));
    try {
      t.leader();
      t.awaitCaughtUp(ahead);

      // Any write that node proposes carries its clock into the log.
      t.rawStub(ahead).put(PutRequest.newBuilder().setKey(b("clock/tick")).setValue(b("x")).build());
      PutResponse retried = t.rawStub(other).put(write);

      assertThat(retried.getHeader().getRevision()).as("answered from the session table")
          .isEqualTo(first.getHeader().getRevision());
      assertThat(version("clock/once")).isEqualTo(1);
    } finally {
      t.cluster.stop(ahead, Duration.ofSeconds(20));
      t.cluster.start(ahead);
      t.leader();
    }
  }
}
