package io.rocksraft.server.api.rest;

import io.rocksraft.server.security.Authenticator;
import io.rocksraft.server.security.Caller;
import io.rocksraft.server.security.ClientLimiter;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import java.security.cert.X509Certificate;

/**
 * The REST side of {@code security}: finds each request's caller (bearer token or client
 * certificate) and admits it under the client's limits before a resource runs; resources
 * authorise with {@link #caller}. {@code GET /v1/cluster} (the status, no keys or values) is
 * answered without credentials, as gRPC's Cluster.Status is.
 */
@Priority(Priorities.AUTHENTICATION)
public final class RestCallers implements ContainerRequestFilter, ContainerResponseFilter {
  private static final String CALLER = "rocksraft.caller";
  private static final String CLIENT = "rocksraft.client";
  private static final String PERMIT = "rocksraft.permit";

  private final Authenticator authenticator;
  private final ClientLimiter limiter;
  @Context
  private HttpServletRequest servlet;

  public RestCallers(Authenticator authenticator, ClientLimiter limiter) {
    this.authenticator = authenticator;
    this.limiter = limiter;
  }

  /** The caller of a request that passed this filter. */
  static Caller caller(ContainerRequestContext request) {
    Object c = request.getProperty(CALLER);
    return c instanceof Caller caller ? caller : Caller.UNRESTRICTED;
  }

  /** Whom the request counts against: its user, or its connection without authentication. */
  static String client(ContainerRequestContext request) {
    return (String) request.getProperty(CLIENT);
  }

  @Override
  public void filter(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (request.getMethod().equals(HttpMethod.GET) && (path.equals("v1/cluster") || path.equals("/v1/cluster"))) {
      return;
    }
    Caller caller = authenticator.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION),
        (X509Certificate[]) servlet.getAttribute("jakarta.servlet.request.X509Certificate"));
    String client = ClientLimiter.client(caller, servlet.getRemoteAddr() + ":" + servlet.getRemotePort());
    request.setProperty(CALLER, caller);
    request.setProperty(CLIENT, client);
    // A watch stream is counted as a watch (by the resource), not as a request in flight.
    if (!path.replaceFirst("^/", "").startsWith("v1/watch")) {
      request.setProperty(PERMIT, limiter.admit(client, caller.user()));
    }
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getProperty(PERMIT) instanceof ClientLimiter.Permit permit) {
      permit.close();
      request.removeProperty(PERMIT);
    }
  }
}
