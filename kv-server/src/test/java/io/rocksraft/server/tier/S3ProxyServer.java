package io.rocksraft.server.tier;

import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real S3 server in this JVM: S3Proxy 2.6.0 over jclouds' in-memory ("transient") blob store, on
 * a loopback port, with AWS signature checking on. It can be stopped and started again on the
 * same port with its objects intact, to play an outage.
 *
 * <p>As a JUnit extension it hands every test class the same server (the blob store takes
 * seconds to set up), closed when the whole run ends; tests keep apart by key prefix.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "tier-access";
  public static final String SECRET_KEY = "tier-secret";
  public static final String BUCKET = "rocksraft-tier";

  private final BlobStoreContext context;
  private final BlobStore blobStore;
  private S3Proxy proxy;
  private int port;

  private S3ProxyServer(BlobStoreContext context, BlobStore blobStore) throws Exception {
    this.context = context;
    this.blobStore = blobStore;
    start(0);
  }

  public static S3ProxyServer create() throws Exception {
    BlobStoreContext context = ContextBuilder.newBuilder("transient")
        .credentials("identity", "credential")
        .build(BlobStoreContext.class);
    BlobStore blobStore = context.getBlobStore();
    blobStore.createContainerInLocation(null, BUCKET);
    return new S3ProxyServer(context, blobStore);
  }

  /** Another endpoint on a port of its own over the same objects; closing it leaves this one be. */
  S3ProxyServer secondEndpoint() throws Exception {
    return new S3ProxyServer(null, blobStore);
  }

  private void start(int wantedPort) throws Exception {
    proxy = S3Proxy.builder()
        .blobStore(blobStore)
        .endpoint(URI.create("http://127.0.0.1:" + wantedPort))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.onSpinWait();
    }
    port = proxy.getPort();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Stops serving: connections to the port are refused. */
  public void stop() throws Exception {
    proxy.stop();
  }

  /** Serves again on the same port, with the same objects. */
  public void restart() throws Exception {
    start(port);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    if (context != null) {
      context.close();
    }
  }

  /** Resolves an {@code S3ProxyServer} parameter to the one server of the test run. */
  public static final class Shared implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
      return parameter.getParameter().getType() == S3ProxyServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
      return extension.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(S3ProxyServer.class, k -> {
            try {
              return create();
            } catch (Exception e) {
              throw new IllegalStateException("cannot start S3Proxy", e);
            }
          }, S3ProxyServer.class);
    }
  }
}
