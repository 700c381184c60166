package io.rocksraft.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.rocksraft.server.config.KvServerConfiguration;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NoSuchElementException;

/** The objects one render of the chart made. */
record Manifests(List<HasMetadata> objects) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final YamlConfigurationFactory<KvServerConfiguration> CONFIGURATION =
      new YamlConfigurationFactory<>(KvServerConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

  /** The one object of {@code type} named {@code name}. */
  <T extends HasMetadata> T get(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no " + type.getSimpleName() + " " + name + " in " + names()));
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<String> names() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }

  StatefulSet statefulSet() {
    return get(StatefulSet.class, Chart.FULLNAME);
  }

  Container nodeContainer() {
    return statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  PodDisruptionBudget podDisruptionBudget() {
    return get(PodDisruptionBudget.class, Chart.FULLNAME);
  }

  Service clientService() {
    return get(Service.class, Chart.FULLNAME);
  }

  Service headlessService() {
    return get(Service.class, Chart.FULLNAME + "-headless");
  }

  Job job(String suffix) {
    return get(Job.class, Chart.FULLNAME + "-" + suffix);
  }

  /** The node YAML every pod reads (the ConfigMap's {@code node.yml}). */
  String nodeYamlText() {
    return configFile("node.yml");
  }

  /** File {@code key} of the ConfigMap mounted at /etc/rocksraft. */
  String configFile(String key) {
    return get(ConfigMap.class, Chart.FULLNAME).getData().get(key);
  }

  /** That YAML as a tree. */
  JsonNode nodeYaml() {
    try {
      return YAML.readTree(nodeYamlText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * That YAML read as the node reads it: Dropwizard's configuration factory with its validation
   * (unknown keys are errors), into the node's own configuration class.
   */
  KvServerConfiguration nodeConfiguration() {
    return nodeConfiguration(nodeYaml());
  }

  /**
   * As {@link #nodeConfiguration()} in pod {@code pod}: with {@code node.id} set as the image's
   * launcher sets it from ROCKSRAFT_NODE_ID (Dropwizard's {@code -Ddw.node.id} override, which
   * replaces the key in the YAML tree before it is bound).
   */
  KvServerConfiguration nodeConfiguration(String pod) {
    JsonNode tree = nodeYaml();
    ((ObjectNode) tree.get("node")).put("id", pod);
    return nodeConfiguration(tree);
  }

  private KvServerConfiguration nodeConfiguration(JsonNode tree) {
    try {
      byte[] yaml = YAML.writeValueAsBytes(tree);
      return CONFIGURATION.build(path -> new ByteArrayInputStream(yaml), "node.yml");
    } catch (Exception e) {
      throw new IllegalStateException("the node YAML is refused: " + e.getMessage() + "\n" + nodeYamlText(), e);
    }
  }
}
