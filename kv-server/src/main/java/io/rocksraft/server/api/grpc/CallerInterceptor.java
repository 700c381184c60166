package io.rocksraft.server.api.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.rocksraft.api.v1.ClusterGrpc;
import io.rocksraft.api.v1.WatchGrpc;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.security.Authenticator;
import io.rocksraft.server.security.Caller;
import io.rocksraft.server.security.ClientLimiter;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Finds each call's caller (bearer token or client certificate) and admits it under the
 * client's limits before any service sees it; the services authorise with {@link #caller()}.
 * Refused calls end UNAUTHENTICATED or RESOURCE_EXHAUSTED without reaching a service.
 */
final class CallerInterceptor implements ServerInterceptor {
  private static final Context.Key<Caller> CALLER = Context.key("rocksraft-caller");
  private static final Context.Key<String> CLIENT = Context.key("rocksraft-client");
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  /**
   * Answered without credentials: health, reflection (the API's schema) and Cluster.Status,
   * which peers and load balancers ask and which holds no keys or values.
   */
  private static final Set<String> OPEN = Set.of(HealthGrpc.SERVICE_NAME, "grpc.reflection.v1.ServerReflection",
      ClusterGrpc.getStatusMethod().getFullMethodName());

  private final Authenticator authenticator;
  private final ClientLimiter limiter;

  CallerInterceptor(Authenticator authenticator, ClientLimiter limiter) {
    this.authenticator = authenticator;
    this.limiter = limiter;
  }

  /** The caller of the current call. */
  static Caller caller() {
    Caller c = CALLER.get();
    return c != null ? c : Caller.UNRESTRICTED;
  }

  /** Whom the current call counts against: its user, or its connection without authentication. */
  static String client() {
    return CLIENT.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (OPEN.contains(method) || OPEN.contains(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    Caller caller;
    ClientLimiter.Permit permit;
    String client;
    try {
      caller = authenticator.authenticate(headers.get(AUTHORIZATION), clientChain(call));
      SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      client = ClientLimiter.client(caller, String.valueOf(remote));
      // A watch stream is counted as a watch (by the service), not as a request in flight.
      boolean watch = call.getMethodDescriptor().getServiceName().equals(WatchGrpc.SERVICE_NAME);
      permit = watch ? () -> { } : limiter.admit(client, caller.user());
    } catch (KvException e) {
      call.close(Status.fromCode(e.kind().grpcCode()).withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() { };
    }
    ServerCall<Q, R> releasing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        permit.close();
        super.close(status, trailers);
      }
    };
    Context context = Context.current().withValues(CALLER, caller, CLIENT, client);
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context, releasing, headers, next);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        permit.close();
        super.onCancel();
      }
    };
  }

  private static X509Certificate[] clientChain(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return Arrays.copyOf(chain, chain.length, X509Certificate[].class);
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
