package io.rocksraft.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

class KeyCacheConfigTest {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void thirtyTwoMebibytesByDefaultAndZeroTurnsItOff() throws Exception {
    assertThat(NodeConfig.defaults().validate().keyCacheBytes()).isEqualTo(32L << 20);
    assertThat(yaml.readValue("keyCacheBytes: 0", NodeConfig.class).validate().keyCacheBytes()).isZero();
  }

  @Test
  void aNegativeSizeIsRefusedByName() throws Exception {
    NodeConfig c = yaml.readValue("keyCacheBytes: -1", NodeConfig.class);
    assertThatThrownBy(c::validate).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyCacheBytes must be 0 (no cache) or more, got -1");
  }
}
