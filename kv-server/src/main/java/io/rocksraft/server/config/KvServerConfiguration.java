package io.rocksraft.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import jakarta.validation.constraints.NotNull;

/**
 * The node's YAML file: {@code node:} (this node and its group, see {@link NodeConfig}) beside
 * Dropwizard's own {@code server:} (REST and admin ports), {@code logging:} and {@code metrics:}.
 */
public class KvServerConfiguration extends Configuration {
  @NotNull
  private NodeConfig node = new NodeConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
      null);

  @JsonProperty("node")
  public NodeConfig getNode() {
    return node;
  }

  @JsonProperty("node")
  public void setNode(NodeConfig node) {
    this.node = node;
  }
}
