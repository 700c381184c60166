package io.rocksraft.server.security;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.rocksraft.client.PemTls;
import io.rocksraft.server.config.NodeConfig;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * A node's TLS: one certificate, key and CA bundle (PEM, re-read when changed) for its gRPC
 * API, its REST and admin ports, and its Raft peer traffic. Peers always authenticate each
 * other: a node whose certificate the CA did not sign can neither dial the group nor be dialled.
 */
public final class NodeTls implements AutoCloseable {
  private final PemTls pem;
  private final String clientAuth;

  private NodeTls(NodeConfig.Tls config) {
    this.pem = PemTls.load(config.caFile(), config.certFile(), config.keyFile(),
        Duration.ofSeconds(config.reloadSeconds()));
    this.clientAuth = config.clientAuth();
  }

  /** The node's TLS, or empty when {@code security.tls} is not configured. */
  public static Optional<NodeTls> open(NodeConfig.Tls config) {
    return config.enabled() ? Optional.of(new NodeTls(config)) : Optional.empty();
  }

  /** For the client-facing gRPC server. */
  public ServerCredentials grpcServerCredentials() {
    TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
        .keyManager(pem.keyManager().orElseThrow())
        .trustManager(pem.trustManager());
    b.clientAuth(switch (clientAuth) {
      case "require" -> TlsServerCredentials.ClientAuth.REQUIRE;
      case "optional" -> TlsServerCredentials.ClientAuth.OPTIONAL;
      default -> TlsServerCredentials.ClientAuth.NONE;
    });
    return b.build();
  }

  /** For this node's calls to the other members' gRPC API, presenting its own certificate. */
  public ChannelCredentials grpcChannelCredentials() {
    return TlsChannelCredentials.newBuilder()
        .keyManager(pem.keyManager().orElseThrow())
        .trustManager(pem.trustManager())
        .build();
  }

  /**
   * For Ratis' server, its clients and its admin calls: mutual TLS between peers, where a peer
   * is a certificate of the CA that may also serve (extendedKeyUsage serverAuth), as every
   * node's must. A user's client certificate from the same CA does not have it, so it opens the
   * API but not the Raft port.
   */
  public GrpcTlsConfig ratis() {
    return new GrpcTlsConfig(pem.keyManager().orElseThrow(), new PeerTrustManager(pem.trustManager()), true);
  }

  private static final class PeerTrustManager extends X509ExtendedTrustManager {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private final X509ExtendedTrustManager ca;

    PeerTrustManager(X509ExtendedTrustManager ca) {
      this.ca = ca;
    }

    private static void requirePeer(X509Certificate[] chain) throws CertificateException {
      List<String> usages = chain.length == 0 ? null : chain[0].getExtendedKeyUsage();
      if (usages == null || !usages.contains(SERVER_AUTH)) {
        throw new CertificateException("not a peer: a node's certificate has extendedKeyUsage serverAuth, "
            + "this one (" + (chain.length == 0 ? "none" : chain[0].getSubjectX500Principal()) + ") has not");
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      ca.checkClientTrusted(chain, authType, socket);
      requirePeer(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      ca.checkClientTrusted(chain, authType, engine);
      requirePeer(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      ca.checkClientTrusted(chain, authType);
      requirePeer(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      ca.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      ca.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      ca.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return ca.getAcceptedIssuers();
    }
  }

  /** For the HTTPS connectors. */
  public SSLContext sslContext() {
    return pem.sslContext();
  }

  public boolean needClientAuth() {
    return clientAuth.equals("require");
  }

  public boolean wantClientAuth() {
    return clientAuth.equals("optional");
  }

  @Override
  public void close() {
    pem.close();
  }
}
