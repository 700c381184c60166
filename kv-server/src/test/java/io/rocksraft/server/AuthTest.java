package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.Member;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.WatchRequest;
import io.rocksraft.client.KvClient;
import io.rocksraft.client.KvClientException;
import io.rocksraft.client.PemTls;
import io.rocksraft.client.Watch;
import io.rocksraft.client.WatchListener;
import io.rocksraft.client.cli.KvCtl;
import io.rocksraft.server.security.Authenticator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes with TLS and authentication: users by bearer token and by client certificate,
 * roles over key prefixes, admin calls for admins only; every refused request changes nothing.
 */
class AuthTest {
  @TempDir
  static Path certs;
  private static TestCluster t;
  private static PemTls trustOnly;

  private static final String READER = "reader-token-1";
  private static final String WRITER = "writer-token-2";
  private static final String ROOT = "root-token-3";
  private static final int RATE = 300;

  @BeforeAll
  static void startCluster() throws Exception {
    TestCerts.make(certs, "alice", "stranger");
    trustOnly = PemTls.load(certs.resolve("ca.crt"), null, null, Duration.ofMinutes(1));
    t = TestCluster.start(3, """
        security:
          tls: {certFile: %1$s/node.crt, keyFile: %1$s/node.key, caFile: %1$s/ca.crt, clientAuth: optional}
          auth:
            enabled: true
            users:
              - {name: reader, tokenSha256: %2$s, roles: [read-a]}
              - {name: writer, tokenSha256: %3$s, roles: [rw-a]}
              - {name: root, tokenSha256: %4$s, roles: [admin]}
              - {name: alice, roles: [rw-b]}
            roles:
              - {name: read-a, read: ["a/"]}
              - {name: rw-a, read: ["a/"], write: ["a/"]}
              - {name: rw-b, read: ["b/"], write: ["b/"]}
              - {name: admin, read: [""], write: [""], admin: true}
          clientLimits: {requestsPerSecond: %5$d}
        """.formatted(certs, Authenticator.sha256(READER), Authenticator.sha256(WRITER), Authenticator.sha256(ROOT),
        RATE));
    try (KvClient root = token(ROOT)) {
      root.put(b("a/x"), b("a-original"));
      root.put(b("b/x"), b("b-original"));
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
    if (trustOnly != null) {
      trustOnly.close();
    }
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static KvClient.Builder tls() {
    return KvClient.builder().endpoints(t.cluster.clientAddresses()).timeout(Duration.ofSeconds(5))
        .tls(certs.resolve("ca.crt"));
  }

  private static KvClient token(String token) {
    return tls().token(token).build();
  }

  private static KvClient certificate(String name) {
    return tls().clientCertificate(certs.resolve(name + ".crt"), certs.resolve(name + ".key")).build();
  }

  /** What a, b are now, as root reads them. */
  private static void assertUnchanged() {
    try (KvClient root = token(ROOT)) {
      assertThat(root.get(b("a/x")).getKv().getValue().toStringUtf8()).isEqualTo("a-original");
      assertThat(root.get(b("b/x")).getKv().getValue().toStringUtf8()).isEqualTo("b-original");
      assertThat(root.get(b("a/new")).getFound()).isFalse();
    }
  }

  @Test
  void aTokenWithReadOnAReadsThereAndNowhereElseAndWritesNothing() {
    try (KvClient reader = token(READER)) {
      assertThat(reader.get(b("a/x")).getKv().getValue().toStringUtf8()).isEqualTo("a-original");
      assertThat(reader.scanPrefix(b("a/"))).isNotEmpty();
      assertThatThrownBy(() -> reader.put(b("a/x"), b("changed"))).isInstanceOf(KvClientException.PermissionDenied.class)
          .hasMessageContaining("writing key 'a/x'");
      assertThatThrownBy(() -> reader.put(b("a/new"), b("new"))).isInstanceOf(KvClientException.PermissionDenied.class);
      assertThatThrownBy(() -> reader.delete(b("a/x"))).isInstanceOf(KvClientException.PermissionDenied.class);
      assertThatThrownBy(() -> reader.get(b("b/x"))).isInstanceOf(KvClientException.PermissionDenied.class);
      // A range reaching past a/ is not covered by the grant, though some of it is.
      assertThatThrownBy(() -> reader.range(RangeRequest.newBuilder().setStart(b("a/")).setEnd(b("c")).build()))
          .isInstanceOf(KvClientException.PermissionDenied.class);
      // A transaction needs every key of both branches.
      assertThatThrownBy(() -> reader.txn(TxnRequest.newBuilder()
          .addFailure(TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(b("a/x")).setValue(b("txn"))))
          .build())).isInstanceOf(KvClientException.PermissionDenied.class);
    }
    assertUnchanged();
  }

  @Test
  void aWriterWritesItsPrefixOnly() {
    try (KvClient writer = token(WRITER)) {
      writer.put(b("a/written"), b("by writer"));
      assertThat(writer.get(b("a/written")).getKv().getValue().toStringUtf8()).isEqualTo("by writer");
      assertThatThrownBy(() -> writer.put(b("b/x"), b("changed"))).isInstanceOf(KvClientException.PermissionDenied.class);
    }
    assertUnchanged();
  }

  @Test
  void aClientCertificateIsItsCommonNamesUser() {
    try (KvClient alice = certificate("alice")) {
      alice.put(b("b/alice"), b("by certificate"));
      assertThat(alice.get(b("b/alice")).getKv().getValue().toStringUtf8()).isEqualTo("by certificate");
      assertThatThrownBy(() -> alice.get(b("a/x"))).isInstanceOf(KvClientException.PermissionDenied.class);
    }
    // The CA signed it, but no user has its name.
    try (KvClient stranger = certificate("stranger")) {
      assertThatThrownBy(() -> stranger.get(b("b/x"))).isInstanceOf(KvClientException.Unauthenticated.class)
          .hasMessageContaining("stranger");
    }
    assertUnchanged();
  }

  @Test
  void noOrUnknownCredentialsAreUnauthenticatedAndChangeNothing() {
    try (KvClient none = tls().build(); KvClient wrong = token("not-a-token")) {
      for (KvClient c : List.of(none, wrong)) {
        assertThatThrownBy(() -> c.get(b("a/x"))).isInstanceOf(KvClientException.Unauthenticated.class);
        assertThatThrownBy(() -> c.put(b("a/new"), b("new"))).isInstanceOf(KvClientException.Unauthenticated.class);
        assertThatThrownBy(c::memberList).isInstanceOf(KvClientException.Unauthenticated.class);
        // The status is open: peers and load balancers ask it; it holds no keys or values.
        assertThat(c.status().getMemberId()).isNotEmpty();
      }
    }
    assertUnchanged();
  }

  @Test
  void adminCallsNeedAnAdmin() {
    try (KvClient writer = token(WRITER)) {
      assertThat(writer.memberList().getMembersList()).hasSize(3);
      assertThatThrownBy(() -> writer.transferLeadership("")).isInstanceOf(KvClientException.PermissionDenied.class);
      assertThatThrownBy(writer::snapshot).isInstanceOf(KvClientException.PermissionDenied.class);
      assertThatThrownBy(writer::check).isInstanceOf(KvClientException.PermissionDenied.class);
      assertThatThrownBy(() -> writer.memberRemove("n3")).isInstanceOf(KvClientException.PermissionDenied.class);
      assertThatThrownBy(() -> writer.memberAdd(Member.newBuilder().setId("n9").setRaftAddress("127.0.0.1:1")
          .setClientAddress("127.0.0.1:2").build())).isInstanceOf(KvClientException.PermissionDenied.class);
    }
    try (KvClient root = token(ROOT)) {
      assertThat(root.memberList().getMembersList()).extracting(Member::getId)
          .containsExactlyInAnyOrder("n1", "n2", "n3");
      assertThat(root.snapshot()).hasSize(3);
      assertThat(root.check()).hasSize(3);
    }
    assertUnchanged();
  }

  @Test
  void watchesNeedReadOnWhatTheyWatch() throws Exception {
    try (KvClient reader = token(READER); KvClient writer = token(WRITER)) {
      CompletableFuture<KvClientException> refused = new CompletableFuture<>();
      try (Watch w = reader.watch(WatchRequest.newBuilder().setPrefix(b("b/")).build(), new WatchListener() {
        @Override
        public void onEvents(long revision, List<io.rocksraft.api.v1.Event> events) {
          refused.completeExceptionally(new AssertionError("events of b/ reached a reader of a/"));
        }

        @Override
        public void onError(KvClientException error) {
          refused.complete(error);
        }
      })) {
        assertThat(refused.get(30, java.util.concurrent.TimeUnit.SECONDS))
            .isInstanceOf(KvClientException.PermissionDenied.class);
      }
      AtomicReference<String> seen = new AtomicReference<>();
      try (Watch w = reader.watch(WatchRequest.newBuilder().setPrefix(b("a/w")).build(),
          (revision, events) -> seen.set(events.get(events.size() - 1).getKv().getValue().toStringUtf8()))) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          writer.put(b("a/watched"), b("seen"));
          assertThat(seen.get()).isEqualTo("seen");
        });
      }
    }
  }

  @Test
  void restAnswers401And403AndTheAdminPortWantsAnAdmin() throws Exception {
    String rest = "https://" + t.cluster.node("n1").restAddress();
    String admin = "https://" + t.cluster.node("n1").adminAddress();
    HttpResponse<String> anonymous = send("GET", rest + "/v1/kv/a/x", null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(anonymous.body()).contains("unauthenticated");
    assertThat(send("GET", rest + "/v1/kv/a/x", READER, null).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = send("PUT", rest + "/v1/kv/a/x", READER, "{\"value\": \"via rest\"}");
    assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
    assertThat(denied.body()).contains("permission-denied");
    assertThat(send("POST", rest + "/v1/cluster/leader", WRITER, "{}").statusCode()).isEqualTo(403);
    assertThat(send("GET", rest + "/v1/cluster", null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", admin + "/metrics", null, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", admin + "/metrics", WRITER, null).statusCode()).isEqualTo(403);
    assertThat(send("GET", admin + "/metrics", ROOT, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", admin + "/healthcheck", null, null).statusCode()).isEqualTo(200);
    assertUnchanged();
  }

  private static HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    HttpClient http = HttpClient.newBuilder().sslContext(trustOnly.sslContext()).connectTimeout(Duration.ofSeconds(5))
        .build();
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void eachTokenHasItsOwnRateLimit() throws Exception {
    String node = t.cluster.node("n1").clientAddress();
    ManagedChannel channel = NettyChannelBuilder.forTarget(node,
        TlsChannelCredentials.newBuilder().trustManager(trustOnly.trustManager()).build()).build();
    try {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + READER);
      KVGrpc.KVFutureStub reader = KVGrpc.newFutureStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      // Three times the bucket (a second's worth) at once.
      List<com.google.common.util.concurrent.ListenableFuture<?>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 3 * RATE; i++) {
        calls.add(reader.withDeadlineAfter(20, TimeUnit.SECONDS).get(GetRequest.newBuilder().setKey(b("a/x")).build()));
      }
      int refused = 0;
      String why = "";
      for (var call : calls) {
        try {
          call.get();
        } catch (java.util.concurrent.ExecutionException e) {
          Status status = Status.fromThrowable(e.getCause());
          assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          refused++;
          why = status.getDescription();
        }
      }
      assertThat(refused).as("requests past %d per second", RATE).isPositive();
      assertThat(why).contains("requestsPerSecond");
    } finally {
      channel.shutdownNow();
    }
    // Another token's bucket is full.
    try (KvClient writer = token(WRITER)) {
      assertThat(writer.get(b("a/x")).getFound()).isTrue();
    }
  }

  @Test
  void kvctlSendsItsToken() {
    String[] common = {"--endpoints", String.join(",", t.cluster.clientAddresses()), "--cacert",
        certs.resolve("ca.crt").toString(), "--timeout", "5s"};
    assertThat(KvCtl.run(TestCluster.concat(new String[] {"get", "a/x", "--token", READER}, common))).isZero();
    assertThat(KvCtl.run(TestCluster.concat(new String[] {"put", "a/x", "changed", "--token", READER}, common))).isNotZero();
    assertThat(KvCtl.run(TestCluster.concat(new String[] {"get", "a/x"}, common))).isNotZero();
    assertUnchanged();
  }
}
