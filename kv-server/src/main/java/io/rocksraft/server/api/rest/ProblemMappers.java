package io.rocksraft.server.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every REST failure as an RFC 9457 problem ({@code application/problem+json}: type, title,
 * status, detail), with the status from {@link ErrorKind}. No stack traces reach clients.
 */
public final class ProblemMappers {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemMappers.class);
  static final String PROBLEM_JSON = "application/problem+json";

  private ProblemMappers() {}

  public static void register(JerseyEnvironment jersey) {
    jersey.register(new KvExceptions());
    jersey.register(new MalformedJson());
    jersey.register(new WebExceptions());
    jersey.register(new Unexpected());
  }

  /** The problem document: RFC 9457 members, type a URN of ours. */
  static Map<String, Object> body(int status, String type, String title, String detail) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "urn:rocksraft:problem:" + type);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    return body;
  }

  /** A problem named after the HTTP status itself, for failures of the protocol rather than of an operation. */
  static Map<String, Object> httpBody(int status, String detail) {
    Response.StatusType type = Response.Status.fromStatusCode(status);
    String title = type != null ? type.getReasonPhrase() : "HTTP " + status;
    return body(status, title.toLowerCase(Locale.ROOT).replace(' ', '-'), title, detail);
  }

  static Response problem(int status, Map<String, Object> body) {
    Response.ResponseBuilder r = Response.status(status).type(PROBLEM_JSON).entity(body);
    if (status == 503) {
      r.header("Retry-After", "1");
    }
    if (status == 401) {
      r.header("WWW-Authenticate", "Bearer realm=\"rocksraft\"");
    }
    return r.build();
  }

  static Response problem(ErrorKind kind, String detail) {
    return problem(kind.httpStatus(), body(kind.httpStatus(), kind.problemType(), kind.title(), detail));
  }

  /** The problem for one of our failures; an internal one is logged here and not described there. */
  static Map<String, Object> body(KvException e) {
    ErrorKind kind = e.kind();
    String detail = e.getMessage();
    if (kind == ErrorKind.INTERNAL) {
      LOG.error("internal error", e);
      detail = "internal error; see the node's log";
    }
    return body(kind.httpStatus(), kind.problemType(), kind.title(), detail);
  }

  /** Our own failures, with the status the error table gives them. */
  static final class KvExceptions implements ExceptionMapper<KvException> {
    @Override
    public Response toResponse(KvException e) {
      return problem(e.kind().httpStatus(), body(e));
    }
  }

  /** A body that is not JSON, or JSON of the wrong shape. */
  static final class MalformedJson implements ExceptionMapper<JsonProcessingException> {
    @Override
    public Response toResponse(JsonProcessingException e) {
      return problem(ErrorKind.INVALID_ARGUMENT, "the body is not valid JSON for this request: " + e.getOriginalMessage());
    }
  }

  /** Jersey's own answers: unknown path (404), wrong method (405), wrong media type (415)... */
  static final class WebExceptions implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
      int status = e.getResponse().getStatus();
      return problem(status, httpBody(status, e.getMessage()));
    }
  }

  /** Anything else: logged here, a plain 500 there. */
  static final class Unexpected implements ExceptionMapper<Throwable> {
    @Override
    public Response toResponse(Throwable e) {
      LOG.error("unexpected error", e);
      return problem(ErrorKind.INTERNAL, "internal error; see the node's log");
    }
  }
}
