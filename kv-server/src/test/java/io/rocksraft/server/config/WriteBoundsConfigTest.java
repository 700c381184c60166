package io.rocksraft.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/** limits.maxWriteKeys and limits.maxResultBytes: what one write may change and answer once applied. */
class WriteBoundsConfigTest {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void tenThousandKeysAndEightMebibytesByDefault() {
    NodeConfig.Limits limits = NodeConfig.defaults().validate().limits();
    assertThat(limits.maxWriteKeys()).isEqualTo(10_000);
    assertThat(limits.maxResultBytes()).isEqualTo(8 << 20);
  }

  @Test
  void fewerKeysThanATransactionMayWriteOrMoreThanAMillionAreRefused() throws Exception {
    assertThatThrownBy(() -> limits("{maxWriteKeys: 100}").validate()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limits.maxWriteKeys must be from limits.maxTxnOps (128");
    assertThatThrownBy(() -> limits("{maxWriteKeys: 1000001}").validate())
        .hasMessageContaining("to 1000000, got 1000001");
    assertThat(limits("{maxWriteKeys: 100, maxTxnOps: 100}").validate().limits().maxWriteKeys()).isEqualTo(100);
  }

  @Test
  void anAnswerBoundBelowOneValueOrAboveHalfTheRaftMessageIsRefused() throws Exception {
    assertThatThrownBy(() -> limits("{maxResultBytes: 1048576}").validate())
        .hasMessageContaining("limits.maxResultBytes must be from maxValueBytes + maxKeyBytes + 1024 (1057792");
    assertThatThrownBy(() -> limits("{maxResultBytes: 33554433}").validate())
        .hasMessageContaining("to 33554432");
    assertThat(limits("{maxResultBytes: 65536, maxValueBytes: 4096}").validate().limits().maxResultBytes())
        .isEqualTo(65536);
  }

  private NodeConfig limits(String yamlLimits) throws Exception {
    return yaml.readValue("limits: " + yamlLimits, NodeConfig.class);
  }
}
