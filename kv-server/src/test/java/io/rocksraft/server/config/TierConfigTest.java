package io.rocksraft.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TierConfigTest {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private TierConfig parse(String text) throws Exception {
    return yaml.readValue(text, TierConfig.class);
  }

  @Test
  void defaultsAreOffWithADirectoryBesideTheDataDirectory() {
    TierConfig c = TierConfig.DEFAULTS.validate();
    assertThat(c.enabled()).isFalse();
    assertThat(c.backend()).isEqualTo("directory");
    assertThat(c.directoryFor(Path.of("/srv/data/n1"))).isEqualTo(Path.of("/srv/data/tier"));
    assertThat(c.multipartThresholdBytes()).isEqualTo(64L << 20);
    assertThat(c.partSizeBytes()).isEqualTo(16L << 20);
    assertThat(c.uploadBytesPerSecond()).isZero();
    assertThat(c.retainManifests()).isEqualTo(10);
    assertThat(c.maxAttempts()).isEqualTo(5);
    assertThat(c.gcGraceMs()).isEqualTo(6L * 3600 * 1000);
    assertThat(c.bucketWaitMs()).isEqualTo(15_000);
    assertThat(c.s3().region()).isEqualTo("us-east-1");
    assertThat(c.s3().pathStyle()).isFalse();
  }

  @Test
  void anS3TierReadsFromYaml() throws Exception {
    TierConfig c = parse("""
        enabled: true
        backend: s3
        s3: {endpoint: "http://127.0.0.1:9000", bucket: snaps, prefix: prod/, pathStyle: true,
             accessKey: AK, secretKey: SK}
        uploadBytesPerSecond: 1048576
        """).validate();
    assertThat(c.s3().bucket()).isEqualTo("snaps");
    assertThat(c.s3().pathStyle()).isTrue();
    assertThat(c.uploadBytesPerSecond()).isEqualTo(1 << 20);
    assertThat(c.s3().toString()).contains("accessKey=AK").doesNotContain("SK");
  }

  @Test
  void everyProblemIsNamed() throws Exception {
    TierConfig c = parse("""
        enabled: true
        backend: s3
        s3: {endpoint: "ftp://x", accessKey: AK, prefix: /abs}
        partSizeBytes: 1000
        multipartThresholdBytes: 0
        uploadBytesPerSecond: -1
        retainManifests: 0
        maxAttempts: 0
        gcGraceMs: 10
        bucketWaitMs: 0
        """);
    assertThatThrownBy(c::validate).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tier.s3.bucket is required")
        .hasMessageContaining("accessKey and tier.s3.secretKey go together")
        .hasMessageContaining("tier.s3.prefix must not start with '/'")
        .hasMessageContaining("tier.s3.endpoint must be an http:// or https:// URL")
        .hasMessageContaining("tier.partSizeBytes must be between")
        .hasMessageContaining("tier.multipartThresholdBytes")
        .hasMessageContaining("tier.uploadBytesPerSecond")
        .hasMessageContaining("tier.retainManifests")
        .hasMessageContaining("tier.maxAttempts")
        .hasMessageContaining("tier.gcGraceMs")
        .hasMessageContaining("tier.bucketWaitMs");
  }

  @Test
  void anUnknownBackendOrKeyIsRefused() throws Exception {
    assertThatThrownBy(() -> parse("backend: gcs").validate()).hasMessageContaining("tier.backend must be");
    assertThatThrownBy(() -> parse("bucket: x")).hasMessageContaining("bucket");
  }

  @Test
  void s3KeysAreNotCheckedWhileTheTierIsOff() throws Exception {
    assertThat(parse("backend: s3").validate().enabled()).isFalse();
  }
}
