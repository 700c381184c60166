package io.rocksraft.server.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The raw {@code ratis:} map cannot weaken "durable before acknowledged" or linearizable reads
 * unless the YAML says unsafe, nor override what the node sets from its own options.
 */
class RatisConfigTest {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private NodeConfig node(String text) throws Exception {
    return yaml.readValue(text, NodeConfig.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "raft.server.log.unsafe-flush.enabled: 'true'",
      "raft.server.log.async-flush.enabled: 'true'",
      "raft.server.log.statemachine.data.sync: 'false'",
      "raft.server.log.use.memory: 'true'",
      "raft.server.log.corruption.policy: WARN_AND_RETURN",
      "raft.server.read.option: DEFAULT",
      "raft.server.read.leader.lease.enabled: 'true'"})
  void anUnsafeRatisKeyInTheRawMapIsRefusedByNameWithHowToAllowIt(String setting) throws Exception {
    String key = setting.substring(0, setting.indexOf(':'));
    NodeConfig c = node("ratis: {" + setting + "}");
    assertThatThrownBy(c::validate).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ratis: " + key + " is unsafe")
        .hasMessageContaining("put it under unsafe.ratis");
  }

  @Test
  void aKeyIsRecognisedWhateverWhitespaceSurroundsIt() throws Exception {
    // Ratis trims property names, so " key" would set the key itself.
    NodeConfig c = node("ratis: {' raft.server.log.unsafe-flush.enabled ': 'true'}");
    assertThatThrownBy(c::validate).hasMessageContaining("raft.server.log.unsafe-flush.enabled is unsafe");
  }

  @Test
  void anUnsafeRatisKeyIsAcceptedUnderTheUnsafeBlock() {
    assertThatCode(() -> node("""
        unsafe:
          ratis:
            raft.server.log.unsafe-flush.enabled: 'true'
            raft.server.read.leader.lease.enabled: 'true'
        """).validate()).doesNotThrowAnyException();
  }

  @Test
  void theUnsafeBlockTakesOnlyUnsafeKeys() throws Exception {
    NodeConfig c = node("unsafe: {ratis: {raft.server.log.segment.size.max: 8KB}}");
    assertThatThrownBy(c::validate)
        .hasMessageContaining("unsafe.ratis: raft.server.log.segment.size.max is not an unsafe Ratis key")
        .hasMessageContaining("put it under ratis");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "raft.server.storage.dir: /elsewhere            | dataDir",
      "raft.rpc.type: GRPC                             | the node's own transport",
      "raft.grpc.server.port: '7009'                   | raftAddress",
      "raft.server.rpc.timeout.min: 100ms              | raft.electionTimeoutMinMs",
      "raft.server.log.appender.install.snapshot.enabled: 'true' | tier.enabled",
      "raft.server.snapshot.auto.trigger.threshold: '10' | snapshot.autoTriggerThreshold",
      "raft.server.log.write.buffer.size: 64KB         | backpressure.maxBatchBytes"})
  void aKeyTheNodeSetsFromItsOwnOptionsIsRefusedEvenUnderTheUnsafeBlock(String setting, String option)
      throws Exception {
    String key = setting.substring(0, setting.indexOf(':'));
    assertThatThrownBy(node("ratis: {" + setting + "}")::validate)
        .hasMessageContaining("ratis: " + key + " is set by the node from " + option);
    assertThatThrownBy(node("unsafe: {ratis: {" + setting + "}}")::validate)
        .hasMessageContaining("unsafe.ratis: " + key + " is set by the node from " + option);
  }

  @Test
  void tuningKeysStillPassThrough() {
    assertThatCode(() -> node("""
        ratis:
          raft.server.log.segment.size.max: 8KB
          raft.server.log.force.sync.num: '16'
          raft.server.log.log-metadata.enabled: 'false'
        """).validate()).doesNotThrowAnyException();
  }
}
