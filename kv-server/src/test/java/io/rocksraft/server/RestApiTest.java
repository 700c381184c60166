package io.rocksraft.server;

import static io.rocksraft.server.Rest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.rocksraft.client.KvClient;
import io.rocksraft.server.Rest.Answer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST API through real HTTP against three node processes. */
class RestApiTest {
  private static final ObjectMapper JSON = Rest.JSON;
  private static TestCluster t;

  @BeforeAll
  static void startCluster() throws Exception {
    t = TestCluster.start(3, "requestTimeoutMs: 3000\n");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  private static Answer send(String node, String method, String path, String body) throws Exception {
    return Rest.send(t.cluster.node(node).restAddress(), method, path, body);
  }

  @Test
  void aPutSentToAFollowerLandsAndEveryNodeReadsIt() throws Exception {
    String leader = t.leader();
    String follower = t.followers(leader).get(0);

    Answer put = send(follower, "PUT", "/v1/kv/rest/a", "{\"value\": \"hello\"}");
    assertThat(put.status()).isEqualTo(200);

    for (var n : t.cluster.nodes()) {
      Answer get = send(n.id(), "GET", "/v1/kv/rest/a", null);
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.body().get("value").asText()).isEqualTo("hello");
      assertThat(get.body().get("revision").asLong()).isEqualTo(put.body().get("revision").asLong());
      assertThat(get.body().get("version").asLong()).isEqualTo(1);
    }
  }

  @Test
  void binaryValuesTravelAsBase64() throws Exception {
    byte[] bytes = {(byte) 0xFF, 0, (byte) 0xC3};
    String b64 = Base64.getEncoder().encodeToString(bytes);
    assertThat(send("n1", "PUT", "/v1/kv/rest/bin", "{\"valueBase64\": \"" + b64 + "\"}").status()).isEqualTo(200);
    Answer get = send("n2", "GET", "/v1/kv/rest/bin?consistency=linearizable", null);
    assertThat(get.body().get("valueBase64").asText()).isEqualTo(b64);
  }

  @Test
  void casWritesOnlyAtTheExpectedRevisionAndOtherwiseAnswers409() throws Exception {
    Answer created = send("n1", "PUT", "/v1/kv/rest/cas?cas=0", "{\"value\": \"first\"}");
    assertThat(created.status()).as(created.raw().body()).isEqualTo(200);
    assertProblem(send("n1", "PUT", "/v1/kv/rest/cas?cas=0", "{\"value\": \"again\"}"), 409, "compare-and-set failed");
    long rev = send("n1", "GET", "/v1/kv/rest/cas", null).body().get("revision").asLong();
    assertThat(send("n2", "PUT", "/v1/kv/rest/cas?cas=" + rev, "{\"value\": \"second\"}").status()).isEqualTo(200);
    assertThat(send("n3", "GET", "/v1/kv/rest/cas", null).body().get("value").asText()).isEqualTo("second");
  }

  @Test
  void deleteRemovesAKeyAndAMissingKeyIs404() throws Exception {
    send("n1", "PUT", "/v1/kv/rest/del", "{\"value\": \"x\"}");
    Answer deleted = send("n2", "DELETE", "/v1/kv/rest/del", null);
    assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(200);
    assertProblem(send("n1", "GET", "/v1/kv/rest/del", null), 404, "does not exist");
    assertProblem(send("n1", "DELETE", "/v1/kv/rest/del", null), 404, "does not exist");
  }

  @Test
  void transactionsCompareThenRunOneBranchAtomically() throws Exception {
    send("n1", "PUT", "/v1/kv/rest/txn/a", "{\"value\": \"1\"}");
    String txn = """
        {"compare": [{"key": "rest/txn/a", "target": "value", "result": "=", "value": "1"}],
         "success": [{"put": {"key": "rest/txn/a", "value": "2"}}, {"put": {"key": "rest/txn/b", "value": "x"}},
                     {"get": {"key": "rest/txn/a"}}],
         "failure": [{"get": {"key": "rest/txn/a"}}]}""";
    Answer first = send("n2", "POST", "/v1/txn", txn);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().get("succeeded").asBoolean()).isTrue();
    long revision = first.body().get("revision").asLong();
    assertThat(first.body().get("results").get(0).get("put").get("revision").asLong()).isEqualTo(revision);
    assertThat(first.body().get("results").get(2).get("get").get("value").asText()).isEqualTo("2");
    assertThat(send("n3", "GET", "/v1/kv/rest/txn/b", null).body().get("revision").asLong()).isEqualTo(revision);

    Answer second = send("n3", "POST", "/v1/txn", txn);
    assertThat(second.body().get("succeeded").asBoolean()).isFalse();
    assertThat(second.body().get("results").get(0).get("get").get("value").asText()).isEqualTo("2");

    assertProblem(send("n1", "POST", "/v1/txn", "{\"compare\": [{\"key\": \"k\", \"target\": \"size\", "
        + "\"result\": \"=\", \"number\": 1}]}"), 400, "compare[0].target 'size'");
    assertProblem(send("n1", "POST", "/v1/txn", "{\"success\": [{\"put\": {\"key\": \"k\"}}]}"), 400,
        "exactly one of value and valueBase64");
    assertProblem(send("n1", "POST", "/v1/txn", "{\"success\": [{}]}"), 400, "exactly one of get, range");
  }

  @Test
  void leadershipMovesToTheChosenMemberThroughRestAndKvctl() throws Exception {
    String leader = t.leader();
    java.util.List<String> followers = t.followers(leader);
    // Asked of the other follower: the node that answers need not lead.
    Answer moved = send(followers.get(1), "POST", "/v1/cluster/leader", "{\"id\": \"" + followers.get(0) + "\"}");
    assertThat(moved.status()).isEqualTo(200);
    assertThat(moved.body().get("leader").asText()).isEqualTo(followers.get(0));
    await().atMost(Duration.ofSeconds(30)).until(() -> t.leader().equals(followers.get(0)));

    String endpoints = String.join(",", t.cluster.clientAddresses());
    assertThat(io.rocksraft.client.cli.KvCtl.run(new String[] {"leader", "transfer", "--to", leader,
        "--endpoints", endpoints})).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> t.leader().equals(leader));

    assertProblem(send("n1", "POST", "/v1/cluster/leader", "{\"id\": \"n9\"}"), 400, "'n9' is not a member");
    // Writes flow again once the new leader is ready.
    await().atMost(Duration.ofSeconds(30))
        .until(() -> send("n1", "PUT", "/v1/kv/rest/after-transfer", "{\"value\": \"x\"}").status() == 200);
  }

  @Test
  void scanPagesThroughAPrefix() throws Exception {
    for (int i = 0; i < 7; i++) {
      send("n1", "PUT", "/v1/kv/rest/scan/" + i, "{\"value\": \"v" + i + "\"}");
    }
    Answer first = send("n2", "GET", "/v1/kv?prefix=rest/scan/&limit=5", null);
    assertThat(first.body().get("kvs")).hasSize(5);
    assertThat(first.body().get("more").asBoolean()).isTrue();
    String next = URLEncoder.encode(first.body().get("next").asText(), StandardCharsets.UTF_8);
    Answer second = send("n2", "GET", "/v1/kv?prefix=rest/scan/&limit=5&after=" + next, null);
    assertThat(second.body().get("kvs")).hasSize(2);
    assertThat(second.body().get("more").asBoolean()).isFalse();
    assertThat(second.body().get("kvs").get(1).get("key").asText()).isEqualTo("rest/scan/6");
  }

  @Test
  void scanPagesPastAKeyOfTheMaximumLength() throws Exception {
    // limits.maxKeyBytes is 8 KiB by default; the page after such a key starts one byte past it.
    List<ByteString> keys = Stream.of("rest/max/a", "rest/max/" + "k".repeat(8 * 1024 - "rest/max/".length()),
        "rest/max/z").map(ByteString::copyFromUtf8).toList();
    for (ByteString k : keys) {
      assertThat(send("n1", "PUT", "/v1/kv/" + k.toStringUtf8(), "{\"value\": \"v\"}").status()).isEqualTo(200);
    }
    assertThat(scanOnePerPage("n2", "rest/max/", keys.size() + 1)).containsExactlyElementsOf(keys);
  }

  @Test
  void binaryKeysPageOverRestInBase64() throws Exception {
    ByteString prefix = ByteString.copyFromUtf8("rest/binscan/");
    List<ByteString> keys = Stream.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF},
        new byte[] {(byte) 0xFF, 0}).map(k -> prefix.concat(ByteString.copyFrom(k))).toList();
    // REST paths carry keys as text, so binary keys are written over gRPC.
    KvClient kv = t.client();
    keys.forEach(k -> kv.put(k, ByteString.copyFromUtf8("v")));
    assertThat(scanOnePerPage("n2", "rest/binscan/", keys.size() + 1)).containsExactlyElementsOf(keys);
  }

  /** The keys with a prefix, one a page, following each answer's continuation (text or base64). */
  private static List<ByteString> scanOnePerPage(String node, String prefix, int maxPages) throws Exception {
    List<ByteString> keys = new ArrayList<>();
    String continuation = "";
    for (int page = 0; page < maxPages; page++) {
      Answer a = send(node, "GET", "/v1/kv?limit=1&prefix=" + encode(prefix) + continuation, null);
      assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
      for (JsonNode kv : a.body().get("kvs")) {
        keys.add(kv.has("keyBase64") ? ByteString.copyFrom(Base64.getDecoder().decode(kv.get("keyBase64").asText()))
            : ByteString.copyFromUtf8(kv.get("key").asText()));
      }
      if (!a.body().get("more").asBoolean()) {
        return keys;
      }
      continuation = a.body().has("nextBase64") ? "&afterBase64=" + encode(a.body().get("nextBase64").asText())
          : "&after=" + encode(a.body().get("next").asText());
    }
    return fail("still more keys after " + maxPages + " pages, having seen " + keys);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  void clusterStatusNamesTheLeaderAndEveryMember() throws Exception {
    long revision = send("n1", "PUT", "/v1/kv/rest/status", "{\"value\": \"x\"}").body().get("revision").asLong();
    Answer a = send("n3", "GET", "/v1/cluster", null);
    assertThat(a.body().get("leader").asText()).isEqualTo(t.leader());
    assertThat(a.body().get("members")).hasSize(3);
    long committed = a.body().get("commitIndex").asLong();
    for (JsonNode m : a.body().get("members")) {
      // Each member answered for itself: its applied index, not the asking node's.
      assertThat(m.get("reachable").asBoolean()).as(m.toString()).isTrue();
      assertThat(m.get("appliedIndex").asLong()).as(m.toString()).isPositive();
      assertThat(m.get("role").asText()).isIn("LEADER", "FOLLOWER");
    }
    assertThat(committed).isPositive();
    assertThat(revision).isPositive();

    // A member that is down is reported as unreachable, the others still answer.
    String down = t.followers(t.leader()).get(0);
    String asked = t.followers(t.leader()).get(1);
    t.cluster.kill(down);
    try {
      Answer partial = send(asked, "GET", "/v1/cluster", null);
      assertThat(partial.status()).isEqualTo(200);
      for (JsonNode m : partial.body().get("members")) {
        assertThat(m.get("reachable").asBoolean()).as(m.toString()).isEqualTo(!m.get("id").asText().equals(down));
      }
    } finally {
      t.cluster.start(down);
      t.cluster.awaitLeader(Duration.ofSeconds(60));
    }
  }

  @Test
  void badInputIsA400ProblemAndStoresNothing() throws Exception {
    assertProblem(send("n1", "PUT", "/v1/kv/rest/bad", "{\"value\": "), 400, "not valid JSON");
    assertProblem(send("n1", "PUT", "/v1/kv/rest/bad", "[1, 2]"), 400, "not valid JSON");
    assertProblem(send("n1", "PUT", "/v1/kv/rest/bad", "{\"value\": 5}"), 400, "not valid JSON");
    assertProblem(send("n1", "PUT", "/v1/kv/rest/bad", "{\"valueBase64\": \"!!\"}"), 400, "not valid base64");
    assertProblem(send("n1", "PUT", "/v1/kv/rest/bad", "{}"), 400, "exactly one of value and valueBase64");
    assertProblem(send("n1", "PUT", "/v1/kv/rest/bad", "{\"value\": \"a\", \"valueBase64\": \"YQ==\"}"), 400,
        "exactly one");
    assertProblem(send("n1", "PUT", "/v1/kv/" + "k".repeat(8193), "{\"value\": \"v\"}"), 400, "the limit is 8192");
    assertProblem(send("n1", "PUT", "/v1/kv/rest/bad?cas=minus", "{\"value\": \"v\"}"), 400, "not a revision");
    assertProblem(send("n1", "GET", "/v1/kv/rest/bad?consistency=eventual", null), 400, "consistency 'eventual'");
    assertProblem(send("n1", "GET", "/v1/kv?limit=-1", null), 400, "limit");
    assertProblem(send("n1", "GET", "/v1/kv?after=a&afterBase64=YQ==", null), 400, "exactly one of after and afterBase64");
    assertProblem(send("n1", "GET", "/v1/kv?afterBase64=!!", null), 400, "afterBase64 is not valid base64");
    assertProblem(send("n1", "GET", "/v1/kv/rest/bad", null), 404, "does not exist");
    assertProblem(send("n1", "GET", "/v2/nothing", null), 404, "404");
  }

  @Test
  void withoutQuorumAWriteIs503WithRetryAfter() throws Exception {
    String leader = t.leader();
    var followers = t.followers(leader);
    for (String f : followers) {
      t.cluster.kill(f);
    }
    try {
      Answer a = send(leader, "PUT", "/v1/kv/rest/no-quorum", "{\"value\": \"v\"}");
      assertProblem(a, 503, "quorum");
      assertThat(a.raw().headers().firstValue("Retry-After")).isPresent();
    } finally {
      for (String f : followers) {
        t.cluster.start(f);
      }
    }
    t.leader();
    // Right after the quorum returns a node may still answer 503 (Retry-After) while its peer
    // connections come back; wait until every node serves writes and reads again.
    for (var n : t.cluster.nodes()) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
          send(n.id(), "PUT", "/v1/kv/rest/recovered", "{\"value\": \"" + n.id() + "\"}").status() == 200
              && send(n.id(), "GET", "/v1/kv/rest/recovered", null).status() == 200);
    }
  }

  private static Answer sendKeyed(String node, String method, String path, String body, String idempotencyKey)
      throws Exception {
    return Rest.send(t.cluster.node(node).restAddress(), method, path, body, Map.of("Idempotency-Key", idempotencyKey));
  }

  @Test
  void aPutRetriedWithItsIdempotencyKeyIsAppliedOnceAndAnsweredTheSame() throws Exception {
    Answer first = sendKeyed("n1", "PUT", "/v1/kv/rest/idem", "{\"value\": \"a\"}", "\"put-1\"");
    Answer retry = sendKeyed("n2", "PUT", "/v1/kv/rest/idem", "{\"value\": \"a\"}", "\"put-1\"");

    assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
    assertThat(retry.status()).as(retry.raw().body()).isEqualTo(200);
    assertThat(retry.body().get("revision").asLong()).isEqualTo(first.body().get("revision").asLong());
    assertThat(send("n3", "GET", "/v1/kv/rest/idem", null).body().get("version").asLong()).isEqualTo(1);
  }

  @Test
  void aCompareAndSetOrDeleteRetriedWithItsIdempotencyKeyGetsItsFirstAnswerNotAConflict() throws Exception {
    Answer created = sendKeyed("n1", "PUT", "/v1/kv/rest/idem-cas?cas=0", "{\"value\": \"a\"}", "cas-1");
    Answer casRetry = sendKeyed("n2", "PUT", "/v1/kv/rest/idem-cas?cas=0", "{\"value\": \"a\"}", "cas-1");
    Answer deleted = sendKeyed("n1", "DELETE", "/v1/kv/rest/idem-cas", null, "del-1");
    Answer deleteRetry = sendKeyed("n3", "DELETE", "/v1/kv/rest/idem-cas", null, "del-1");

    assertThat(created.status()).as(created.raw().body()).isEqualTo(200);
    assertThat(casRetry.status()).as(casRetry.raw().body()).isEqualTo(200);
    assertThat(casRetry.body().get("revision").asLong()).isEqualTo(created.body().get("revision").asLong());
    assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(200);
    assertThat(deleteRetry.status()).as(deleteRetry.raw().body()).isEqualTo(200);
    assertThat(deleteRetry.body().get("revision").asLong()).isEqualTo(deleted.body().get("revision").asLong());
  }

  @Test
  void anIdempotencyKeySentAgainWithAnotherRequestIs422() throws Exception {
    assertThat(sendKeyed("n1", "PUT", "/v1/kv/rest/idem-reuse", "{\"value\": \"a\"}", "reuse-1").status())
        .isEqualTo(200);

    assertProblem(sendKeyed("n2", "PUT", "/v1/kv/rest/idem-reuse", "{\"value\": \"b\"}", "reuse-1"), 422,
        "used before for another request");
    assertThat(send("n3", "GET", "/v1/kv/rest/idem-reuse", null).body().get("value").asText()).isEqualTo("a");
  }

  @Test
  void anIdempotencyKeyThatIsEmptyTooLongOrNotPrintableIs400() throws Exception {
    for (String bad : List.of("\"\"", "x".repeat(256), "a\tb")) {
      assertProblem(sendKeyed("n1", "PUT", "/v1/kv/rest/idem-bad", "{\"value\": \"a\"}", bad), 400,
          "Idempotency-Key must be");
    }
  }
}
