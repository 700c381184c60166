package io.rocksraft.server.api.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml against the Jersey resources: every operation, and each operation's path,
 * query and header parameters, on both sides. Fails when one changes without the other.
 */
class OpenApiDriftTest {
  private static final Map<Class<? extends Annotation>, String> METHODS =
      Map.of(GET.class, "get", PUT.class, "put", POST.class, "post", DELETE.class, "delete");

  @Test
  void theCheckedInDocumentMatchesTheResources() throws Exception {
    assertThat(fromDocument()).isEqualTo(fromResources());
  }

  @Test
  void theComparisonSeesAMissingOperation() throws Exception {
    Map<String, Set<String>> resources = fromResources();
    resources.remove("post /v1/txn");
    assertThat(fromDocument()).isNotEqualTo(resources);
  }

  /** "method path" to its parameters ("query:limit", "path:key", "header:Last-Event-ID"). */
  private static Map<String, Set<String>> fromResources() throws Exception {
    Map<String, Set<String>> out = new TreeMap<>();
    java.nio.file.Path classes = java.nio.file.Path.of(
        KvResource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    java.nio.file.Path pkg = classes.resolve(KvResource.class.getPackageName().replace('.', '/'));
    try (Stream<java.nio.file.Path> files = Files.list(pkg)) {
      for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = f.getFileName().toString().replace(".class", "");
        Class<?> c = Class.forName(KvResource.class.getPackageName() + "." + name);
        Path base = c.getAnnotation(Path.class);
        if (base == null) {
          continue;
        }
        for (Method m : c.getDeclaredMethods()) {
          METHODS.forEach((annotation, verb) -> {
            if (m.isAnnotationPresent(annotation)) {
              Path sub = m.getAnnotation(Path.class);
              String path = base.value() + (sub == null ? "" : "/" + sub.value());
              out.put(verb + " " + path.replaceAll("\\{(\\w+):[^}]*}", "{$1}"), parameters(m));
            }
          });
        }
      }
    }
    return out;
  }

  private static Set<String> parameters(Method m) {
    Set<String> out = new TreeSet<>();
    for (Parameter p : m.getParameters()) {
      if (p.isAnnotationPresent(QueryParam.class)) {
        out.add("query:" + p.getAnnotation(QueryParam.class).value());
      } else if (p.isAnnotationPresent(PathParam.class)) {
        out.add("path:" + p.getAnnotation(PathParam.class).value());
      } else if (p.isAnnotationPresent(HeaderParam.class)) {
        out.add("header:" + p.getAnnotation(HeaderParam.class).value());
      }
    }
    return out;
  }

  private static Map<String, Set<String>> fromDocument() throws Exception {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(
        java.nio.file.Path.of("..", "docs", "openapi.yaml").toFile());
    Map<String, Set<String>> out = new TreeMap<>();
    doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
      if (op.getKey().equals("parameters")) {
        return;
      }
      Set<String> params = new TreeSet<>();
      Stream.of(path.getValue().get("parameters"), op.getValue().get("parameters")).forEach(list -> {
        if (list != null) {
          list.forEach(p -> {
            JsonNode resolved = p.has("$ref") ? resolve(doc, p.get("$ref").asText()) : p;
            params.add(resolved.get("in").asText() + ":" + resolved.get("name").asText());
          });
        }
      });
      out.put(op.getKey() + " " + path.getKey(), params);
    }));
    return out;
  }

  private static JsonNode resolve(JsonNode doc, String ref) {
    JsonNode node = doc;
    for (String part : ref.substring(2).split("/")) {
      node = node.get(part);
    }
    return node;
  }
}
