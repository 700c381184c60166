package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.Event;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.WatchRequest;
import io.rocksraft.client.KvClient;
import io.rocksraft.client.KvClientException;
import io.rocksraft.client.Watch;
import io.rocksraft.client.WatchListener;
import io.rocksraft.server.local.LocalCluster;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Watches over gRPC (the client library) and server-sent events, on a real three-node cluster. */
class WatchTest {
  private static final int HISTORY = 1000;
  private static TestCluster t;

  @BeforeAll
  static void startCluster() throws Exception {
    t = TestCluster.start(3, "watch: {historyRevisions: " + HISTORY + "}");
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

  /** What a listener saw: "revision type key=value" lines, and the error that ended it. */
  static final class Recorder implements WatchListener {
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<KvClientException> error = new AtomicReference<>();
    volatile long lastRevision;

    @Override
    public void onEvents(long revision, List<Event> events) {
      for (Event e : events) {
        seen.add(e.getKv().getModRevision() + " " + e.getType() + " " + e.getKv().getKey().toStringUtf8() + "="
            + e.getKv().getValue().toStringUtf8());
      }
      lastRevision = revision;
    }

    @Override
    public void onError(KvClientException e) {
      error.set(e);
    }
  }

  @Test
  void watchersOnEveryNodeSeeTheSameEventsInOrderAcrossALeaderKill() throws Exception {
    List<String> ids = t.cluster.nodes().stream().map(LocalCluster.NodeSpec::id).toList();
    KvClient writer = t.client();
    long start = writer.put(b("w/start"), b("0")).getHeader().getRevision();
    List<Recorder> recorders = new ArrayList<>();
    for (String id : ids) {
      // Listed first, so the watch starts on that node; the others are where it resumes.
      List<String> order = new ArrayList<>(List.of(id));
      ids.stream().filter(o -> !o.equals(id)).forEach(order::add);
      Recorder r = new Recorder();
      recorders.add(r);
      t.client(order.toArray(String[]::new))
          .watch(WatchRequest.newBuilder().setPrefix(b("w/")).setStartRevision(start).build(), r);
    }
    List<Long> acknowledged = new ArrayList<>();
    String killed = null;
    for (int i = 0; i < 300; i++) {
      if (i == 100) {
        killed = t.leader();
        t.cluster.kill(killed);
      }
      if (i == 200) {
        t.cluster.start(killed);
      }
      String key = "w/" + (i % 17);
      switch (i % 5) {
        case 3 -> writer.delete(b(key));
        case 4 -> {
          var txn = writer.txn(TxnRequest.newBuilder()
            .addCompares(Compare.newBuilder().setKey(b(key)).setTarget(Compare.Target.VERSION)
                .setResult(Compare.Result.GREATER).setNumber(0))
            .addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b(key)).setValue(b("t" + i))))
            .addSuccess(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("w/txn")).setValue(b("t" + i))))
            .addFailure(TxnOp.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(b("w/txn"))))
            .build());
          if (txn.getSucceeded()) {
            acknowledged.add(txn.getHeader().getRevision());
          }
        }
        default -> acknowledged.add(writer.put(b(key), b("v" + i)).getHeader().getRevision());
      }
      writer.put(b("other/" + i), b("not watched"));
    }
    long last = writer.put(b("w/end"), b("1")).getHeader().getRevision();
    await().atMost(Duration.ofSeconds(60)).until(() -> recorders.stream().allMatch(r -> r.lastRevision >= last));

    List<String> first = List.copyOf(recorders.get(0).seen);
    for (Recorder r : recorders) {
      assertThat(r.error.get()).isNull();
      assertThat(r.seen).containsExactlyElementsOf(first);
    }
    List<Long> revisions = first.stream().map(s -> Long.parseLong(s.substring(0, s.indexOf(' ')))).toList();
    assertThat(revisions).isSorted();
    assertThat(first).doesNotHaveDuplicates();
    assertThat(first).noneMatch(s -> s.contains("other/"));
    // Every acknowledged put and successful transaction on a watched key is there.
    assertThat(revisions).contains(start, last);
    assertThat(revisions).containsAll(acknowledged);
    assertThat(killed).isNotNull();
  }

  @Test
  void watchesOpenedWhileTheirStartIsBeingAppliedSeeEveryEventFromIt() throws Exception {
    // A follower wakes a new watch for each revision it applies, also while the watch is still
    // being opened: its first answers must neither race each other nor skip a revision. Before
    // they went out from one thread, a watch could die silently here, or resume past its start.
    String follower = t.followers(t.leader()).get(0);
    KvClient writer = t.client();
    KvClient watcher = t.client(follower);
    List<Long> acknowledged = Collections.synchronizedList(new ArrayList<>());
    AtomicLong highest = new AtomicLong(writer.put(b("o/0"), b("0")).getHeader().getRevision());
    CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
      for (int round = 0; round < 60; round++) {
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
          inFlight.add(writer.async().put(b("o/" + (i % 7)), b(round + "." + i)).thenAccept(r -> {
            acknowledged.add(r.getHeader().getRevision());
            highest.accumulateAndGet(r.getHeader().getRevision(), Math::max);
          }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
      }
    });
    List<Long> starts = new ArrayList<>();
    List<Recorder> recorders = new ArrayList<>();
    List<Watch> watches = new ArrayList<>();
    while (!writes.isDone() && recorders.size() < 300) {
      long start = highest.get() + 1;
      Recorder r = new Recorder();
      watches.add(watcher.watch(WatchRequest.newBuilder().setPrefix(b("o/")).setStartRevision(start).build(), r));
      starts.add(start);
      recorders.add(r);
      // The next watch starts at a later revision, so the watches spread over the whole load.
      await().pollInterval(Duration.ofMillis(1)).until(() -> writes.isDone() || highest.get() >= start);
    }
    writes.join();
    long last = writer.put(b("o/end"), b("1")).getHeader().getRevision();
    await().atMost(Duration.ofSeconds(60)).until(() -> recorders.stream().allMatch(r -> r.lastRevision >= last));
    watches.forEach(Watch::close);

    assertThat(recorders).hasSizeGreaterThan(10);
    for (int i = 0; i < recorders.size(); i++) {
      long start = starts.get(i);
      List<Long> expected = new ArrayList<>(acknowledged.stream().filter(rev -> rev >= start).sorted().toList());
      expected.add(last);
      assertThat(recorders.get(i).error.get()).isNull();
      assertThat(recorders.get(i).seen).extracting(s -> Long.parseLong(s.substring(0, s.indexOf(' '))))
          .as("watch %d from revision %d", i, start).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aWatcherBehindTheKeptHistoryGetsCompacted() throws Exception {
    KvClient client = t.client();
    long first = client.put(b("c/0"), b("x")).getHeader().getRevision();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int i = 1; i < HISTORY + HISTORY / 5; i++) {
      writes.add(client.async().put(b("c/" + (i % 10)), b("x" + i)));
    }
    // All applied before the last: concurrent writes have no order among themselves.
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    long last = client.put(b("c/last"), b("x")).getHeader().getRevision();
    assertThat(last - first).isGreaterThan(HISTORY);

    Recorder r = new Recorder();
    try (Watch w = client.watch(WatchRequest.newBuilder().setPrefix(b("c/")).setStartRevision(first).build(), r)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> r.error.get() != null);
    }
    assertThat(r.error.get()).isInstanceOf(KvClientException.Compacted.class)
        .hasMessageContaining("compacted").hasMessageContaining("watch.historyRevisions");
    assertThat(((KvClientException.Compacted) r.error.get()).compactRevision()).isGreaterThan(first);
    assertThat(r.seen).isEmpty();

    // Over REST: the same refusal, as a problem.
    HttpResponse<String> rest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(restUrl("n1") + "/v1/watch?prefix=c/&from=" + first)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(rest.statusCode()).isEqualTo(410);
    assertThat(rest.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(rest.body()).contains("urn:rocksraft:problem:compacted");
  }

  @Test
  void serverSentEventsDeliverChangesWithResumableIds() throws Exception {
    KvClient client = t.client();
    long start = client.put(b("s/a"), b("1")).getHeader().getRevision();
    client.put(b("s/b"), b("2"));
    client.delete(b("s/a"));
    long end = client.put(b("s/c"), b("3")).getHeader().getRevision();

    HttpClient http = HttpClient.newHttpClient();
    List<String[]> events = readEvents(http, restUrl("n2") + "/v1/watch?prefix=s/&from=" + start, null, 4);
    assertThat(events).extracting(e -> e[1]).containsExactly("put", "put", "delete", "put");
    assertThat(events.get(0)[2]).contains("\"key\":\"s/a\"").contains("\"value\":\"1\"");
    assertThat(events.get(2)[2]).contains("\"key\":\"s/a\"").doesNotContain("value");
    assertThat(events.get(3)[0]).isEqualTo(Long.toString(end));

    // A reconnect with Last-Event-ID continues after that revision.
    List<String[]> resumed = readEvents(http, restUrl("n3") + "/v1/watch?prefix=s/", events.get(1)[0], 2);
    assertThat(resumed).extracting(e -> e[1]).containsExactly("delete", "put");
    assertThat(resumed.get(1)[2]).contains("\"key\":\"s/c\"");
  }

  private static String restUrl(String node) {
    return "http://" + t.cluster.node(node).restAddress();
  }

  /** Reads {@code count} events (id, event, data) from an SSE stream, skipping created/progress. */
  private static List<String[]> readEvents(HttpClient http, String url, String lastEventId, int count)
      throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
    if (lastEventId != null) {
      req.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    CompletableFuture<List<String[]>> read = CompletableFuture.supplyAsync(() -> {
      List<String[]> out = new ArrayList<>();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String id = null;
        String event = null;
        String data = null;
        for (String line; out.size() < count && (line = in.readLine()) != null; ) {
          if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ")) {
            data = line.substring(6);
          } else if (line.isEmpty() && event != null) {
            if (!event.equals("created") && !event.equals("progress")) {
              out.add(new String[] {id, event, data});
            }
            id = null;
            event = null;
            data = null;
          }
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return out;
    });
    return read.get(30, java.util.concurrent.TimeUnit.SECONDS);
  }
}
