package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.client.KvClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hostile and malformed REST requests against three node processes: every one that gets an
 * answer gets a 4xx problem (or a 503 with Retry-After, or Jetty's 505 for an unknown HTTP
 * version), never a stack trace, and afterwards
 * every node serves and holds exactly what was stored before. Replay a failure with
 * {@code -Dfuzz.seed=<the seed in its message>}.
 */
class RestFuzzTest {
  private static final Logger LOG = LoggerFactory.getLogger(RestFuzzTest.class);
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  private static final int REQUESTS = Integer.getInteger("fuzz.requests", 1200);
  private static final int MAX_REQUEST_BYTES = 2 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern STACK_TRACE = Pattern.compile(
      "\\bat [\\w$]+(\\.[\\w$]+)+\\(|(java|javax|jakarta|org|io|com)\\.[\\w.$]*(Exception|Error)\\b|Caused by");
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final Map<ByteString, ByteString> KNOWN = new LinkedHashMap<>();
  private static TestCluster t;

  @BeforeAll
  static void startClusterAndStoreKnownKeys() throws Exception {
    t = TestCluster.start(3, "requestTimeoutMs: 3000\n");
    Random values = new Random(42);
    for (int i = 0; i < 24; i++) {
      byte[] binary = new byte[1 + values.nextInt(64)];
      values.nextBytes(binary);
      ByteString value = i % 3 == 0 ? ByteString.copyFrom(binary) : ByteString.copyFromUtf8("värde-" + i + "-✓");
      KNOWN.put(ByteString.copyFromUtf8("known/k" + i), value);
    }
    KvClient client = t.client();
    KNOWN.forEach(client::put);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  // ---- the barrage ----

  @Test
  void hostileRequestsGetProblemAnswersAndLeaveEveryNodeServingWithItsData() throws Exception {
    Random rnd = new Random(SEED);
    Map<Integer, Integer> statuses = new TreeMap<>();
    Map<String, Integer> unanswered = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < REQUESTS; i++) {
      String node = NODES.get(i % NODES.size());
      Hostile h = hostile(rnd, i);
      Optional<RawHttp.Reply> reply;
      try {
        reply = h.send(t.cluster.node(node).restAddress());
      } catch (IOException e) {
        if (h.http() != null) {
          failures.add(h + " on " + node + ": no answer from a well-formed request: " + e);
        }
        reply = Optional.empty();
      }
      if (reply.isEmpty()) {
        unanswered.merge(h.kind(), 1, Integer::sum);
        continue;
      }
      statuses.merge(reply.get().status(), 1, Integer::sum);
      String where = "#" + i + " " + h + " on " + node + ": ";
      problemOf(reply.get()).ifPresent(problem -> failures.add(where + problem));
    }
    long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
    String summary = REQUESTS + " hostile requests in " + seconds + " s, seed " + SEED + " (replay with -Dfuzz.seed="
        + SEED + "); statuses " + statuses + "; closed without an answer " + unanswered;
    assertThat(failures).as(summary).isEmpty();
    assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).as(summary).isGreaterThan(REQUESTS * 9 / 10);
    LOG.info(summary);

    everyNodeServesAndHoldsExactlyTheKnownKeys(summary);
  }

  private static void everyNodeServesAndHoldsExactlyTheKnownKeys(String summary) throws Exception {
    for (String node : NODES) {
      HttpResponse<String> cluster = http(node, "GET", "/v1/cluster", null, null);
      assertThat(cluster.statusCode()).as(summary).isEqualTo(200);
      assertThat(JSON.readTree(cluster.body()).get("leader").asText()).as(summary).isNotEmpty();
      String path = "/v1/kv/fuzz/after/" + node;
      // A write may meet a moment without a leader (503, Retry-After): try again until it lands.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> http(node, "PUT", path, "application/json", "{\"value\": \"" + node + "\"}").statusCode() == 200);
      HttpResponse<String> read = http(node, "GET", path, null, null);
      assertThat(read.statusCode()).as(summary).isEqualTo(200);
      assertThat(JSON.readTree(read.body()).get("value").asText()).as(summary).isEqualTo(node);
    }
    for (String node : NODES) {
      KvClient client = t.client(node);
      for (Map.Entry<ByteString, ByteString> known : KNOWN.entrySet()) {
        KeyValue kv = client.get(GetRequest.newBuilder().setKey(known.getKey()).build()).getKv();
        assertThat(kv.getValue()).as(summary + "; " + known.getKey().toStringUtf8() + " on " + node)
            .isEqualTo(known.getValue());
      }
      // Nothing that a hostile request carried was stored: the keys are the known ones and the probes.
      TreeSet<String> keys = new TreeSet<>();
      client.range(RangeRequest.getDefaultInstance()).getKvsList().forEach(kv -> keys.add(kv.getKey().toStringUtf8()));
      TreeSet<String> expected = new TreeSet<>();
      KNOWN.keySet().forEach(k -> expected.add(k.toStringUtf8()));
      NODES.forEach(n -> expected.add("fuzz/after/" + n));
      assertThat(keys).as(summary + "; keys on " + node).isEqualTo(expected);
    }
  }

  /** What is wrong with a reply to a hostile request, if anything. */
  private static Optional<String> problemOf(RawHttp.Reply r) {
    boolean retryLater = r.status() == 503 && r.header("Retry-After").isPresent();
    // Jetty's parser answers a version it does not speak (HTTP/9.9) with 505, as RFC 9110 says.
    boolean versionRefused = r.status() == 505;
    if ((r.status() < 400 || r.status() > 499) && !retryLater && !versionRefused) {
      return Optional.of("status " + r.status() + ": " + r.body());
    }
    if (r.body().isEmpty()) {
      return Optional.empty();
    }
    if (!r.header("Content-Type").orElse("").startsWith("application/problem+json")) {
      return Optional.of("status " + r.status() + " as " + r.header("Content-Type").orElse("no type") + ": " + r.body());
    }
    if (STACK_TRACE.matcher(r.body()).find()) {
      return Optional.of("stack trace text: " + r.body());
    }
    try {
      JsonNode p = JSON.readTree(r.body());
      boolean complete = p.path("type").asText().startsWith("urn:rocksraft:problem:") && !p.path("title").asText().isBlank()
          && p.path("status").asInt() == r.status() && p.path("detail").isTextual();
      return complete ? Optional.empty() : Optional.of("incomplete problem: " + r.body());
    } catch (IOException e) {
      return Optional.of("problem+json that is not JSON: " + r.body());
    }
  }

  // ---- the generator: every request is invalid, so none may store anything ----

  /** One hostile request: sent by HttpClient to {@code path} when it will send it, else as raw bytes. */
  private record Hostile(String kind, String label, String path, HttpRequest.Builder http, byte[] head, byte[] body) {
    static Hostile http(String kind, String label, String path, HttpRequest.Builder http) {
      return new Hostile(kind, label, path, http, null, null);
    }

    static Hostile raw(String kind, String label, byte[] head, byte[] body) {
      return new Hostile(kind, label, null, null, head, body);
    }

    Optional<RawHttp.Reply> send(String restAddress) throws IOException {
      if (http == null) {
        return RawHttp.exchange(restAddress, head, body, true);
      }
      HttpRequest request = http.copy().uri(URI.create("http://" + restAddress + path))
          .timeout(Duration.ofSeconds(30)).build();
      try {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return Optional.of(new RawHttp.Reply(r.statusCode(), lowerCase(r.headers().map()), r.body()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    @Override
    public String toString() {
      String shown = label.length() > 160 ? label.substring(0, 160) + "...(" + label.length() + " chars)" : label;
      return kind + " " + shown;
    }
  }

  private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    headers.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
    return out;
  }

  private static final String[] PATH_TRICKS = {
      "/v1/kv/../../etc/passwd", "/v1/kv/%2e%2e/%2e%2e/etc/passwd", "/v1/kv/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
      "/v1/kv/fuzz%00nul", "/v1/kv/%00", "/v1/kv/%C0%AE%C0%AE/%C0%AF", "/v1/kv/%E0%80%AE", "/v1/kv/%ff%fe%fd",
      "/v1/kv/fuzz%2Fslash", "/v1/kv/fuzz;jsessionid=1", "/v1/kv/;/..;/x", "//v1//kv//fuzz", "/v1/kv/./fuzz/.",
      "/v1/kv/fuzz/%2e", "/v1/kv/%5c..%5cwin", "/v1/kv/fuzz#frag", "/v1/../v1/kv/fuzz-nope",
      "/v1/kv/%F0%9F%98", "/v1/kv/%ED%A0%80", "/V1/KV/fuzz", "/v1/kv/fuzz%20space", "/v1/cluster/../../..",
  };
  private static final String[] RAW_PATHS = {
      "/v1/kv/%", "/v1/kv/%z", "/v1/kv/%zz/x", "/v1/kv/a b", "/v1/kv/\u0000", "/v1/kv/\u00ff\u00fe", "v1/kv/x",
      "*", "http://evil.example/v1/kv/x", "/v1/kv/x?limit=%zz", "/v1/kv?limit=%", "/v1/kv/%%32%65", "/v1/kv/\t",
      "/v1/kv/x\\..\\..\\", "/../../../../etc/passwd", "/v1/kv/%u002e%u002e",
  };
  private static final String[] WRONG_TYPES = {
      "{\"value\": 5}", "{\"value\": 1.5e308}", "{\"value\": true}", "{\"value\": {}}", "{\"value\": []}",
      "{\"value\": [\"a\"]}", "{\"value\": {\"value\": \"x\"}}", "{\"valueBase64\": 7}", "{\"valueBase64\": [\"YQ==\"]}",
      "[{\"value\": \"x\"}]", "[]", "\"value\"", "5", "null", "true", "{\"value\": null}", "{\"value\": \"\\ud800\"",
      "{\"value\": \"x\", \"value\": 5}", "{\"value\": 123456789012345678901234567890}", "{\"value\": -0}",
      "{value: \"x\"}", "{'value': 'x'}", "{\"value\": \"x\"} trailing", "\ufeff{\"value\": 1}", "",
  };
  private static final String[] BAD_QUERIES = {
      "/v1/kv?limit=-1", "/v1/kv?limit=abc", "/v1/kv?limit=99999999999", "/v1/kv?limit=1e3", "/v1/kv?limit=",
      "/v1/kv?limit=0x10", "/v1/kv?limit=%2D1", "/v1/kv?consistency=nope", "/v1/kv?consistency=",
      "/v1/kv?consistency=LINEARIZABLE", "/v1/kv/fuzz-q?consistency=nope", "/v1/kv/fuzz-q?consistency=%00",
      "/v1/kv?prefix=" + "p".repeat(9000), "/v1/kv?limit=2147483648", "/v1/kv?limit=--1",
  };
  private static final String[] BAD_CAS = {"x", "-1", "", "1.0", "99999999999999999999", "0x1", "%00", "NaN"};
  private static final String[] WRONG_CONTENT_TYPES = {
      "text/plain", "application/xml", "application/octet-stream", "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded", "text/html", "image/png", "application/jsonx",
  };
  private static final String[] BAD_HEADERS = {
      "Content-Length: -1", "Content-Length: abc", "Content-Length: 5\r\nContent-Length: 6", "Transfer-Encoding: gzip",
      "Transfer-Encoding: chunked\r\nContent-Length: 3", "Expect: 999-nope", "NoColonHere", " leading: space",
      "Bad Name: x", "Content-Type: application/json; charset=nope", "Host: a\r\nHost: b", "X: \u0000\u0001",
      "Content-Encoding: gzip", "Transfer-Encoding: chunked, identity",
  };

  private static Hostile hostile(Random rnd, int i) {
    String key = "/v1/kv/fuzz/" + i;
    int kind = rnd.nextInt(16);
    switch (kind) {
      case 0: {
        byte[] bytes = randomBytes(rnd, rnd.nextInt(4096));
        String method = rnd.nextBoolean() ? "PUT" : "POST";
        return Hostile.http("random-body", method + " " + key + " with " + bytes.length + " random bytes", key,
            HttpRequest.newBuilder().header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes)));
      }
      case 1: {
        // Random bytes where the request line goes, sometimes with enough of a request to get further.
        String line = rnd.nextBoolean() ? latin1(randomBytes(rnd, 1 + rnd.nextInt(300)))
            : pick(rnd, "GET", "PUT", "DELETE", "G\u0000T", "") + " " + latin1(randomBytes(rnd, rnd.nextInt(40)))
                + " " + pick(rnd, "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1.1 extra", "", "http/1.1");
        return Hostile.raw("raw-request-line", line.replaceAll("[\r\n]", " "),
            RawHttp.head(line, List.of("Host: x", "Connection: close")), new byte[0]);
      }
      case 2: {
        String value = "h".repeat(65 * 1024 + rnd.nextInt(100 * 1024));
        return Hostile.raw("huge-header", "GET " + key + " with a " + value.length() + "-byte header",
            RawHttp.head("GET " + key + " HTTP/1.1", List.of("Host: x", "X-Fuzz: " + value, "Connection: close")),
            new byte[0]);
      }
      case 3: {
        List<String> headers = new ArrayList<>(List.of("Host: x", "Connection: close"));
        int count = 500 + rnd.nextInt(5000);
        for (int h = 0; h < count; h++) {
          headers.add("X-Fuzz-" + h + ": " + h);
        }
        return Hostile.raw("many-headers", "GET " + key + " with " + count + " headers",
            RawHttp.head("GET " + key + " HTTP/1.1", headers), new byte[0]);
      }
      case 4: {
        int depth = 1000 + rnd.nextInt(100_000);
        String open = pick(rnd, "[", "{\"value\":[", "{\"a\":");
        String body = (open.equals("{\"a\":") ? "{\"value\":" + "{\"a\":".repeat(depth) : open.repeat(depth));
        return Hostile.http("deep-json", "PUT " + key + " nested " + depth, key, putJson(body));
      }
      case 5: {
        String body = pick(rnd, WRONG_TYPES);
        return Hostile.http("wrong-json-type", "PUT " + key + " " + body, key, putJson(body));
      }
      case 6: {
        String bad = latin1(randomBytes(rnd, rnd.nextInt(30))).replaceAll("[\"\\\\\\p{Cntrl}]", "") + pick(rnd, "!", "*",
            "=A", "====", "-_", "\u00e9", " ", "YQ=a");
        return Hostile.http("bad-base64", "PUT " + key + " " + bad, key,
            putJson("{\"valueBase64\": \"" + bad + "\"}"));
      }
      case 7: {
        String path = pick(rnd, PATH_TRICKS);
        if (rnd.nextInt(4) == 0) {
          path = "/v1/kv/fuzz/" + "x".repeat(8193 + rnd.nextInt(20_000));
        }
        String method = pick(rnd, "GET", "DELETE", "HEAD", "PUT");
        HttpRequest.Builder b = HttpRequest.newBuilder().header("Content-Type", "application/json");
        // A PUT carries a body that is itself invalid, so no trick can store anything.
        b.method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("{\"value\": 5}")
            : HttpRequest.BodyPublishers.noBody());
        return Hostile.http("path-trick", method + " " + path, path, b);
      }
      case 8: {
        String path = pick(rnd, RAW_PATHS);
        if (rnd.nextInt(5) == 0) {
          path = "/v1/kv/" + "%".repeat(1 + rnd.nextInt(70_000));
        }
        String method = pick(rnd, "GET", "DELETE", "PUT");
        byte[] body = method.equals("PUT") ? "{\"value\": {}}".getBytes(StandardCharsets.UTF_8) : new byte[0];
        return Hostile.raw("raw-path", method + " " + path, RawHttp.head(method + " " + path + " HTTP/1.1",
            List.of("Host: x", "Connection: close", "Content-Type: application/json", "Content-Length: " + body.length)),
            body);
      }
      case 9: {
        String method = pick(rnd, "PATCH", "POST", "TRACE", "FOO", "PROPFIND", "CONNECT", "get", "DELETE", "PUT", "MOVE");
        String path = pick(rnd, "/v1/kv/fuzz-m", "/v1/cluster", "/v1/kv", "/", "/v2/nothing", "/v1/txn");
        if (method.equals("DELETE") || method.equals("PUT")) {
          path = "/v1/cluster"; // which has neither
        }
        byte[] body = method.equals("PUT") ? "{\"value\": \"x\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
        return Hostile.raw("wrong-method", method + " " + path, RawHttp.head(method + " " + path + " HTTP/1.1",
            List.of("Host: x", "Connection: close", "Content-Type: application/json", "Content-Length: " + body.length)),
            body);
      }
      case 10: {
        String type = pick(rnd, WRONG_CONTENT_TYPES);
        HttpRequest.Builder b = HttpRequest.newBuilder().method("PUT",
            HttpRequest.BodyPublishers.ofString("{\"value\": \"x\"}"));
        if (rnd.nextInt(8) > 0) {
          b.header("Content-Type", type);
        } else {
          type = "no Content-Type";
        }
        return Hostile.http("wrong-content-type", "PUT " + key + " as " + type, key, b);
      }
      case 11: {
        boolean declared = rnd.nextBoolean();
        int size = MAX_REQUEST_BYTES + 1 + rnd.nextInt(64 * 1024);
        // Most declare a length they never send: the node must refuse on the header alone.
        boolean sendIt = !declared || rnd.nextInt(4) == 0;
        byte[] body = sendIt ? oversizedJson(rnd, size) : "{\"value\": \"".getBytes(StandardCharsets.UTF_8);
        List<String> headers = new ArrayList<>(List.of("Host: x", "Connection: close", "Content-Type: application/json"));
        headers.add(declared ? "Content-Length: " + (sendIt ? body.length : size) : "Transfer-Encoding: chunked");
        return Hostile.raw("oversized-body", "PUT " + key + " of " + size + " bytes, "
            + (declared ? "Content-Length" : "chunked") + (sendIt ? "" : ", not sent"),
            RawHttp.head("PUT " + key + " HTTP/1.1", headers), declared ? body : RawHttp.chunked(body, 256 + rnd.nextInt(65_536)));
      }
      case 12: {
        byte[] full = "{\"value\": \"truncated body that never ends\"}".getBytes(StandardCharsets.UTF_8);
        byte[] sent = Arrays.copyOf(full, rnd.nextInt(full.length));
        boolean chunked = rnd.nextBoolean();
        List<String> headers = new ArrayList<>(List.of("Host: x", "Connection: close", "Content-Type: application/json",
            chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + full.length));
        byte[] body = chunked ? (Integer.toHexString(full.length) + "\r\n" + latin1(sent)).getBytes(StandardCharsets.ISO_8859_1)
            : sent;
        return Hostile.raw("truncated-body", "PUT " + key + " with " + sent.length + " of " + full.length + " bytes"
            + (chunked ? ", chunked" : ""), RawHttp.head("PUT " + key + " HTTP/1.1", headers), body);
      }
      case 13: {
        if (rnd.nextBoolean()) {
          String path = pick(rnd, BAD_QUERIES);
          return Hostile.http("bad-query", "GET " + path, path, HttpRequest.newBuilder().GET());
        }
        String path = key + "?cas=" + pick(rnd, BAD_CAS);
        return Hostile.http("bad-query", "PUT " + path, path, putJson("{\"value\": \"cas\"}"));
      }
      case 14: {
        String header = pick(rnd, BAD_HEADERS);
        byte[] body = "{\"value\": 5}".getBytes(StandardCharsets.UTF_8);
        List<String> headers = new ArrayList<>(List.of("Host: x", "Connection: close", "Content-Type: application/json",
            header));
        if (!header.contains("Content-Length") && !header.contains("Transfer-Encoding")) {
          headers.add("Content-Length: " + body.length);
        }
        return Hostile.raw("bad-header", "PUT " + key + " with " + header.replace("\r\n", " / "),
            RawHttp.head("PUT " + key + " HTTP/1.1", headers), body);
      }
      default: {
        // Chunked framing that lies: a size that is not hex, a chunk longer than announced, no end.
        String framing = pick(rnd, "zz\r\n{}\r\n0\r\n\r\n", "3\r\n{\"value\": 5}\r\n0\r\n\r\n",
            "-1\r\n\r\n", "ffffffffffffffff\r\n{}", "5;ext=\"unterminated\r\n{}\r\n", "0\r\nBad Trailer\r\n\r\n");
        return Hostile.raw("bad-chunking", "PUT " + key + " " + framing.replace("\r\n", "\\r\\n"),
            RawHttp.head("PUT " + key + " HTTP/1.1", List.of("Host: x", "Connection: close",
                "Content-Type: application/json", "Transfer-Encoding: chunked")),
            framing.getBytes(StandardCharsets.ISO_8859_1));
      }
    }
  }

  private static HttpRequest.Builder putJson(String body) {
    return HttpRequest.newBuilder().header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body));
  }

  /** A body over the limit that would be a valid write if it were allowed. */
  private static byte[] oversizedJson(Random rnd, int size) {
    byte[] body = new byte[size];
    byte[] open = "{\"value\": \"".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(open, 0, body, 0, open.length);
    for (int i = open.length; i < size - 2; i++) {
      body[i] = (byte) ('a' + rnd.nextInt(26));
    }
    body[size - 2] = '"';
    body[size - 1] = '}';
    return body;
  }

  private static byte[] randomBytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @SafeVarargs
  private static <T> T pick(Random rnd, T... choices) {
    return choices[rnd.nextInt(choices.length)];
  }

  // ---- focused cases ----

  @Test
  void aBodyWhoseContentLengthIsOverTheLimitIs413BeforeAnyOfItIsSent() throws Exception {
    // No body follows the head: the answer can only come from the declared length.
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n1").restAddress(), RawHttp.head("PUT /v1/kv/fuzz/big HTTP/1.1",
        List.of("Host: x", "Content-Type: application/json", "Content-Length: " + (MAX_REQUEST_BYTES + 1))),
        new byte[0], false).orElseThrow();
    assertProblem(r, 413, "the body is 2097153 bytes; the limit is 2097152 (limits.maxRequestBytes)");
  }

  @Test
  void aChunkedBodyOverTheLimitIs413() throws Exception {
    byte[] body = oversizedJson(new Random(1), MAX_REQUEST_BYTES + 1);
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n2").restAddress(), RawHttp.head("PUT /v1/kv/fuzz/big HTTP/1.1",
        List.of("Host: x", "Content-Type: application/json", "Transfer-Encoding: chunked")),
        RawHttp.chunked(body, 32 * 1024), true).orElseThrow();
    assertProblem(r, 413, "more than 2097152 bytes; the limit is 2097152 (limits.maxRequestBytes)");
  }

  @Test
  void aStreamedBodyFromHttpClientOverTheLimitIs413() throws Exception {
    byte[] body = oversizedJson(new Random(2), MAX_REQUEST_BYTES + 1);
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + t.cluster.node("n3").restAddress()
            + "/v1/kv/fuzz/big")).header("Content-Type", "application/json")
        // An InputStream publisher has no length: HttpClient sends it chunked.
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertProblem(new RawHttp.Reply(r.statusCode(), lowerCase(r.headers().map()), r.body()), 413,
        "(limits.maxRequestBytes)");
  }

  @Test
  void aBodyAtTheLimitIsReadAndJudgedByTheValueLimit() throws Exception {
    // 1.5 MiB of value, padded with JSON white space to exactly the limit.
    byte[] value = oversizedJson(new Random(3), 1536 * 1024);
    byte[] body = Arrays.copyOf(value, MAX_REQUEST_BYTES);
    Arrays.fill(body, value.length - 1, body.length - 1, (byte) ' ');
    body[body.length - 1] = '}';
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n1").restAddress(), RawHttp.head("PUT /v1/kv/fuzz/big HTTP/1.1",
        List.of("Host: x", "Content-Type: application/json", "Content-Length: " + body.length, "Connection: close")),
        body, true).orElseThrow();
    assertProblem(r, 400, "the limit is 1048576 (limits.maxValueBytes)");
  }

  @Test
  void aGzipBodyIsBoundedByItsDecodedSize() throws Exception {
    // A few kilobytes on the wire that inflate past the limit.
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
      gzip.write(("{\"value\": \"" + "a".repeat(MAX_REQUEST_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8));
    }
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n2").restAddress(), RawHttp.head("PUT /v1/kv/fuzz/gz HTTP/1.1",
        List.of("Host: x", "Content-Type: application/json", "Content-Encoding: gzip",
            "Content-Length: " + zipped.size(), "Connection: close")), zipped.toByteArray(), true).orElseThrow();
    assertProblem(r, 413, "(limits.maxRequestBytes)");
  }

  @Test
  void aBodyThatIsNotTheGzipItClaimsIs400() throws Exception {
    byte[] body = "{\"value\": \"plain\"}".getBytes(StandardCharsets.UTF_8);
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n3").restAddress(), RawHttp.head("PUT /v1/kv/fuzz/gz HTTP/1.1",
        List.of("Host: x", "Content-Type: application/json", "Content-Encoding: gzip",
            "Content-Length: " + body.length, "Connection: close")), body, true).orElseThrow();
    assertProblem(r, 400, "not valid for its Content-Encoding");
  }

  @Test
  void aBodyShorterThanItsContentLengthIs400() throws Exception {
    byte[] body = "{\"value\": \"cut".getBytes(StandardCharsets.UTF_8);
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n1").restAddress(), RawHttp.head("PUT /v1/kv/fuzz/cut HTTP/1.1",
        List.of("Host: x", "Content-Type: application/json", "Content-Length: 100", "Connection: close")), body, true)
        .orElseThrow();
    assertProblem(r, 400, "");
  }

  @Test
  void headersOverTheConnectorLimitAre431Problem() throws Exception {
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n2").restAddress(), RawHttp.head("GET /v1/kv/fuzz/h HTTP/1.1",
        List.of("Host: x", "X-Big: " + "h".repeat(70 * 1024))), new byte[0], true).orElseThrow();
    assertProblem(r, 431, "");
  }

  @Test
  void aUriJettyRefusesIs400Problem() throws Exception {
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n3").restAddress(), RawHttp.head("GET /v1/kv/%zz HTTP/1.1",
        List.of("Host: x", "Connection: close")), new byte[0], true).orElseThrow();
    assertProblem(r, 400, "");
  }

  @Test
  void aMethodTheServerDoesNotAllowIs405Problem() throws Exception {
    RawHttp.Reply r = RawHttp.exchange(t.cluster.node("n1").restAddress(), RawHttp.head("TRACE /v1/kv/fuzz/m HTTP/1.1",
        List.of("Host: x", "Connection: close")), new byte[0], true).orElseThrow();
    assertProblem(r, 405, "");
  }

  @Test
  void aNumberWhereTextBelongsIs400AndStoresNothing() throws Exception {
    HttpResponse<String> r = http("n2", "PUT", "/v1/kv/fuzz/number", "application/json", "{\"value\": 5}");
    assertProblem(new RawHttp.Reply(r.statusCode(), lowerCase(r.headers().map()), r.body()), 400, "not valid JSON");
    assertThat(http("n2", "GET", "/v1/kv/fuzz/number", null, null).statusCode()).isEqualTo(404);
  }

  private static void assertProblem(RawHttp.Reply r, int status, String detail) throws IOException {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.header("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(problemOf(r)).isEmpty();
    JsonNode p = JSON.readTree(r.body());
    assertThat(p.get("detail").asText()).contains(detail);
  }

  private static HttpResponse<String> http(String node, String method, String path, String type, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + t.cluster.node(node).restAddress() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
