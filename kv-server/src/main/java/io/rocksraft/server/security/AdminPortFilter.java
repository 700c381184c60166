package io.rocksraft.server.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rocksraft.server.error.KvException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The admin port (metrics, thread dumps, tasks) wants an admin when authentication is on;
 * {@code /ping} and {@code /healthcheck} stay open for probes and load balancers.
 */
public final class AdminPortFilter implements Filter {
  private static final Set<String> OPEN = Set.of("/ping", "/healthcheck");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Authenticator authenticator;

  public AdminPortFilter(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    String path = request.getRequestURI();
    if (OPEN.contains(path)) {
      chain.doFilter(req, resp);
      return;
    }
    try {
      authenticator.authenticate(request.getHeader("Authorization"),
          (X509Certificate[]) request.getAttribute("jakarta.servlet.request.X509Certificate"))
          .requireAdmin("the admin port's " + path);
    } catch (KvException e) {
      HttpServletResponse response = (HttpServletResponse) resp;
      response.setStatus(e.kind().httpStatus());
      response.setContentType("application/problem+json");
      // The same problem document as the REST port's.
      Map<String, Object> problem = new LinkedHashMap<>();
      problem.put("type", "urn:rocksraft:problem:" + e.kind().problemType());
      problem.put("title", e.kind().title());
      problem.put("status", e.kind().httpStatus());
      problem.put("detail", e.getMessage());
      JSON.writeValue(response.getOutputStream(), problem);
      return;
    }
    chain.doFilter(req, resp);
  }
}
