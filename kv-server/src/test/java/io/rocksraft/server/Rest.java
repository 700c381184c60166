package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** REST calls for tests: one request, its status, content type and JSON body. */
final class Rest {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private Rest() {}

  record Answer(int status, String contentType, JsonNode body, HttpResponse<String> raw) {}

  static Answer send(String restAddress, String method, String path, String body) throws Exception {
    return send(restAddress, method, path, body, Map.of());
  }

  static Answer send(String restAddress, String method, String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://" + restAddress + path))
        .timeout(Duration.ofSeconds(90))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    headers.forEach(r::header);
    HttpResponse<String> resp = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = resp.body().isEmpty() || !resp.headers().firstValue("Content-Type").orElse("").contains("json")
        ? null : JSON.readTree(resp.body());
    return new Answer(resp.statusCode(), resp.headers().firstValue("Content-Type").orElse(""), json, resp);
  }

  /** An RFC 9457 problem with this status and a detail containing {@code detail}, and no stack trace. */
  static void assertProblem(Answer a, int status, String detail) {
    assertThat(a.status()).as(a.raw().body()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.body().get("type").asText()).startsWith("urn:rocksraft:problem:");
    assertThat(a.body().get("title").asText()).isNotBlank();
    assertThat(a.body().get("status").asInt()).isEqualTo(status);
    assertThat(a.body().get("detail").asText()).contains(detail);
    assertThat(a.raw().body()).doesNotContain("at io.rocksraft").doesNotContain("Exception");
  }
}
