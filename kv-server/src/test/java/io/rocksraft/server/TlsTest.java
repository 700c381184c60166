package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Member;
import io.rocksraft.client.KvClient;
import io.rocksraft.client.KvClientException;
import io.rocksraft.client.PemTls;
import io.rocksraft.client.cli.KvCtl;
import io.rocksraft.server.local.LocalCluster.NodeSpec;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes with TLS on every connection and client certificates required, with certificates
 * made by {@code config/tls/make-test-ca.sh}: one CA for the cluster, and another CA whose
 * certificates must get nowhere.
 */
class TlsTest {
  @TempDir
  static Path certs;
  private static Path ca;
  private static Path other;
  private static TestCluster t;

  @BeforeAll
  static void startCluster() throws Exception {
    ca = certs.resolve("ca");
    other = certs.resolve("other");
    TestCerts.make(ca, "alice");
    TestCerts.make(other, "mallory");
    t = TestCluster.start(3, """
        raft: {memberChangeTimeoutMs: 10000}
        security:
          tls:
            certFile: %1$s/node.crt
            keyFile: %1$s/node.key
            caFile: %1$s/ca.crt
            clientAuth: require
            reloadSeconds: 1
        """.formatted(ca));
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

  private static KvClient.Builder to(String... nodes) {
    return KvClient.builder().endpoints(List.of(nodes).stream().map(n -> t.cluster.node(n).clientAddress()).toList())
        .timeout(Duration.ofSeconds(3));
  }

  private static KvClient alice(String... nodes) {
    return to(nodes).tls(ca.resolve("ca.crt")).clientCertificate(ca.resolve("alice.crt"), ca.resolve("alice.key"))
        .build();
  }

  @Test
  void aClientWithACertificateOfTheClusterCaWritesAndReadsOnEveryNode() {
    try (KvClient kv = alice("n1", "n2", "n3")) {
      kv.put(b("tls/1"), b("over TLS"));
    }
    for (String node : List.of("n1", "n2", "n3")) {
      try (KvClient one = alice(node)) {
        assertThat(one.get(b("tls/1")).getKv().getValue().toStringUtf8()).isEqualTo("over TLS");
      }
    }
  }

  @Test
  void clientsWithoutAValidCertificateAreRefusedAndChangeNothing() {
    try (KvClient kv = alice("n1", "n2", "n3")) {
      kv.put(b("tls/refused"), b("before"));
    }
    List<KvClient.Builder> refused = List.of(
        to("n1", "n2", "n3"), // plain text
        to("n1", "n2", "n3").tls(ca.resolve("ca.crt")), // TLS without a client certificate
        to("n1", "n2", "n3").tls(ca.resolve("ca.crt")) // a client certificate from another CA
            .clientCertificate(other.resolve("mallory.crt"), other.resolve("mallory.key")),
        to("n1", "n2", "n3").tls(other.resolve("ca.crt")) // does not trust the nodes' CA
            .clientCertificate(ca.resolve("alice.crt"), ca.resolve("alice.key")));
    for (KvClient.Builder builder : refused) {
      // Refused handshakes look like an unreachable node to the client: it retries until its deadline.
      try (KvClient kv = builder.timeout(Duration.ofSeconds(1)).build()) {
        assertThatThrownBy(() -> kv.put(b("tls/refused"), b("after"))).isInstanceOf(KvClientException.class);
        assertThatThrownBy(() -> kv.get(b("tls/refused"))).isInstanceOf(KvClientException.class);
      }
    }
    try (KvClient kv = alice("n1")) {
      assertThat(kv.get(b("tls/refused")).getKv().getValue().toStringUtf8()).isEqualTo("before");
    }
  }

  @Test
  void restServesHttpsToClientsWithACertificateOnly() throws Exception {
    String rest = t.cluster.node("n2").restAddress();
    try (KvClient kv = alice("n1", "n2", "n3")) {
      kv.put(b("tls/rest"), b("via https"));
    }
    try (PemTls aliceTls = PemTls.load(ca.resolve("ca.crt"), ca.resolve("alice.crt"), ca.resolve("alice.key"),
        Duration.ofMinutes(1));
         PemTls noCert = PemTls.load(ca.resolve("ca.crt"), null, null, Duration.ofMinutes(1))) {
      HttpResponse<String> ok = get(HttpClient.newBuilder().sslContext(aliceTls.sslContext()), "https://" + rest);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("via https");
      assertThatThrownBy(() -> get(HttpClient.newBuilder().sslContext(noCert.sslContext()), "https://" + rest))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> get(HttpClient.newBuilder(), "http://" + rest)).isInstanceOf(IOException.class);
      // The admin port is behind the same TLS, but takes clients without a certificate: probes have none.
      String admin = "https://" + t.cluster.node("n2").adminAddress();
      assertThat(get(HttpClient.newBuilder().sslContext(aliceTls.sslContext()), admin, "/healthcheck").statusCode())
          .isEqualTo(200);
      assertThat(get(HttpClient.newBuilder().sslContext(noCert.sslContext()), admin, "/ping").statusCode())
          .isEqualTo(200);
      assertThatThrownBy(() -> get(HttpClient.newBuilder(), "http://" + t.cluster.node("n2").adminAddress(), "/ping"))
          .isInstanceOf(IOException.class);
    }
  }

  private static HttpResponse<String> get(HttpClient.Builder client, String base) throws Exception {
    return get(client, base, "/v1/kv/tls/rest");
  }

  private static HttpResponse<String> get(HttpClient.Builder client, String base, String path) throws Exception {
    HttpClient http = client.connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void kvctlTalksTls() {
    String endpoints = String.join(",", t.cluster.clientAddresses());
    String[] tls = {"--endpoints", endpoints, "--cacert", ca.resolve("ca.crt").toString(),
        "--cert", ca.resolve("alice.crt").toString(), "--key", ca.resolve("alice.key").toString(), "--timeout", "3s"};
    assertThat(KvCtl.run(TestCluster.concat(new String[] {"put", "tls/ctl", "by kvctl"}, tls))).isZero();
    assertThat(KvCtl.run(TestCluster.concat(new String[] {"get", "tls/ctl"}, tls))).isZero();
    assertThat(KvCtl.run("get", "tls/ctl", "--endpoints", endpoints, "--timeout", "2s")).isNotZero();
  }

  @Test
  void aNodeWithACertificateFromAnotherCaCannotJoin() throws Exception {
    NodeSpec n4 = t.cluster.addNode();
    t.cluster.start(n4.id(), List.of(
        "-Ddw.node.security.tls.certFile=" + other.resolve("node.crt"),
        "-Ddw.node.security.tls.keyFile=" + other.resolve("node.key"),
        "-Ddw.node.security.tls.caFile=" + other.resolve("ca.crt")));
    try (KvClient kv = alice("n1", "n2", "n3")) {
      Member m = Member.newBuilder().setId(n4.id()).setRaftAddress(n4.raftAddress())
          .setClientAddress(n4.clientAddress()).build();
      assertThatThrownBy(() -> kv.memberAdd(m)).isInstanceOf(KvClientException.class);
      assertThat(kv.memberList().getMembersList()).extracting(Member::getId)
          .containsExactlyInAnyOrder("n1", "n2", "n3");
      assertThat(kv.put(b("tls/after-refused-peer"), b("ok"))).isNotNull();
    } finally {
      t.cluster.kill(n4.id());
    }
    // The Raft port itself: a peer with the other CA's certificate cannot even finish a handshake.
    String raft = t.cluster.node("n1").raftAddress();
    try (PemTls stranger = PemTls.load(other.resolve("ca.crt"), other.resolve("node.crt"), other.resolve("node.key"),
        Duration.ofMinutes(1));
         PemTls strangerTrustingUs = PemTls.load(ca.resolve("ca.crt"), other.resolve("node.crt"),
             other.resolve("node.key"), Duration.ofMinutes(1));
         PemTls member = PemTls.load(ca.resolve("ca.crt"), ca.resolve("node.crt"), ca.resolve("node.key"),
             Duration.ofMinutes(1))) {
      assertThatThrownBy(() -> handshake(raft, stranger)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> handshake(raft, strangerTrustingUs)).isInstanceOf(IOException.class);
      assertThat(handshake(raft, member)).isNotNull();
    }
    // A user's client certificate from the cluster's own CA opens the API, not the Raft port.
    try (PemTls user = PemTls.load(ca.resolve("ca.crt"), ca.resolve("alice.crt"), ca.resolve("alice.key"),
        Duration.ofMinutes(1))) {
      assertThat(handshake(t.cluster.node("n1").clientAddress(), user)).isNotNull();
      assertThatThrownBy(() -> handshake(raft, user)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void renewedCertificatesAreServedWithoutARestart() throws Exception {
    BigInteger before = servedSerial("n3");
    TestCerts.make(ca); // a new node certificate from the same CA, in place
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> !servedSerial("n3").equals(before));
    try (KvClient kv = alice("n3")) {
      kv.put(b("tls/renewed"), b("still works"));
      assertThat(kv.get(b("tls/renewed")).getKv().getValue().toStringUtf8()).isEqualTo("still works");
    }
  }

  /** The serial number of the certificate a node's gRPC port presents to a new connection. */
  private static BigInteger servedSerial(String node) throws IOException {
    try (PemTls tls = PemTls.load(ca.resolve("ca.crt"), ca.resolve("alice.crt"), ca.resolve("alice.key"),
        Duration.ofMinutes(1))) {
      return handshake(t.cluster.node(node).clientAddress(), tls);
    }
  }

  /**
   * A TLS handshake (and one read, where a server that refuses our certificate says so) with the
   * gRPC server at {@code address}; the serial number of the certificate it presented.
   */
  private static BigInteger handshake(String address, PemTls tls) throws IOException {
    int colon = address.lastIndexOf(':');
    try (SSLSocket socket = (SSLSocket) tls.sslContext().getSocketFactory()
        .createSocket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))) {
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(5));
      var params = socket.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(params);
      socket.startHandshake();
      // TLS 1.3: a refused client certificate shows only once the server's alert is read. An
      // accepted client gets the server's HTTP/2 settings frame.
      if (socket.getInputStream().read() < 0) {
        throw new IOException("the server closed the connection after the handshake");
      }
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
