package io.rocksraft.server.security;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jetty.HttpsConnectorFactory;
import java.util.List;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * A plain HTTP connector of the {@code server:} block turned into HTTPS with the node's PEM
 * certificate (Dropwizard's own {@code https} type wants a keystore): it keeps every option
 * of the connector it wraps, and the certificate rotates with the files.
 */
public final class TlsConnectorFactory implements ConnectorFactory {
  private final ConnectorFactory plain;
  private final NodeTls tls;
  private final boolean admin;

  private TlsConnectorFactory(ConnectorFactory plain, NodeTls tls, boolean admin) {
    this.plain = plain;
    this.tls = tls;
    this.admin = admin;
  }

  /**
   * Puts TLS on every plain HTTP connector, application and admin; {@code https} ones stay as
   * configured. The admin port asks for a client certificate but never requires one: probes
   * (Kubernetes' kubelet) have none, and its endpoints but /ping and /healthcheck want an admin
   * when authentication is on.
   */
  public static void apply(ServerFactory server, NodeTls tls) {
    if (server instanceof DefaultServerFactory d) {
      d.setApplicationConnectors(wrap(d.getApplicationConnectors(), tls, false));
      d.setAdminConnectors(wrap(d.getAdminConnectors(), tls, true));
    } else if (server instanceof SimpleServerFactory s) {
      s.setConnector(wrap(s.getConnector(), tls, false));
    } else {
      throw new IllegalArgumentException("security.tls supports the default and simple server types, not "
          + server.getClass().getName());
    }
  }

  private static List<ConnectorFactory> wrap(List<ConnectorFactory> connectors, NodeTls tls, boolean admin) {
    return connectors.stream().map(c -> wrap(c, tls, admin)).toList();
  }

  private static ConnectorFactory wrap(ConnectorFactory c, NodeTls tls, boolean admin) {
    return c instanceof HttpConnectorFactory && !(c instanceof HttpsConnectorFactory)
        ? new TlsConnectorFactory(c, tls, admin) : c;
  }

  @Override
  public Connector build(Server server, MetricRegistry metrics, String name, ThreadPool threadPool) {
    ServerConnector connector = (ServerConnector) plain.build(server, metrics, name, threadPool);
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(tls.sslContext());
    ssl.setNeedClientAuth(!admin && tls.needClientAuth());
    ssl.setWantClientAuth(admin ? tls.needClientAuth() || tls.wantClientAuth() : tls.wantClientAuth());
    for (HttpConnectionFactory http : connector.getContainedBeans(HttpConnectionFactory.class)) {
      // Requests know they came over TLS; no SNI check: the certificate is the node's, whatever name was dialled.
      http.getHttpConfiguration().addCustomizer(new SecureRequestCustomizer(false));
    }
    connector.addFirstConnectionFactory(new SslConnectionFactory(ssl, connector.getDefaultProtocol()));
    return connector;
  }
}
