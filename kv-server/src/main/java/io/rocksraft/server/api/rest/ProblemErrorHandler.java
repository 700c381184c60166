package io.rocksraft.server.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers as problem+json: what fails before Jersey sees the request (a bad
 * request line or URI, headers too large, an unknown method refused by a servlet filter). Its
 * detail is Jetty's reason ("Bad URI path"), never an exception's text, and nothing of a 500's cause.
 */
public final class ProblemErrorHandler extends ErrorHandler {
  private final ObjectMapper json = new ObjectMapper();

  public ProblemErrorHandler() {
    setShowStacks(false);
    setShowCauses(false);
  }

  /** Jetty gives a body only to GET, POST and HEAD errors by default; every method gets one here. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                  Callback callback) throws JsonProcessingException {
    Map<String, Object> body = ProblemMappers.httpBody(code, detail(code, message));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemMappers.PROBLEM_JSON);
    if (code == HttpStatus.SERVICE_UNAVAILABLE_503) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
    }
    response.write(true, ByteBuffer.wrap(json.writeValueAsBytes(body)), callback);
  }

  private static String detail(int code, String message) {
    String reason = HttpStatus.getMessage(code);
    if (code == HttpStatus.INTERNAL_SERVER_ERROR_500) {
      return reason + "; see the node's log";
    }
    // Jetty's reasons are short phrases ("Bad URI path"); an exception's toString is not shown.
    if (message == null || message.isBlank() || message.contains("Exception") || message.contains("\n")) {
      return reason;
    }
    return message.length() > 200 ? message.substring(0, 200) : message;
  }
}
