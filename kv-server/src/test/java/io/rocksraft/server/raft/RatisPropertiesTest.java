package io.rocksraft.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rocksraft.server.config.NodeConfig;
import java.nio.file.Path;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys.Log;
import org.apache.ratis.server.RaftServerConfigKeys.Read;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.Test;

/** What the node's YAML makes of Ratis' properties. */
class RatisPropertiesTest {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private RaftProperties properties(String text) throws Exception {
    return RaftNode.properties(yaml.readValue(text, NodeConfig.class).validate(), Path.of("raft"));
  }

  @Test
  void byDefaultTheLogSyncsBeforeItCountsAnEntryAndReadsUseAReadIndex() throws Exception {
    RaftProperties p = properties("{}");
    assertThat(Log.unsafeFlushEnabled(p)).isFalse();
    assertThat(Log.asyncFlushEnabled(p)).isFalse();
    assertThat(Log.StateMachineData.sync(p)).isTrue();
    assertThat(Log.useMemory(p)).isFalse();
    assertThat(Log.corruptionPolicy(p)).isEqualTo(Log.CorruptionPolicy.EXCEPTION);
    assertThat(Read.option(p)).isEqualTo(Read.Option.LINEARIZABLE);
    assertThat(Read.leaderLeaseEnabled(p)).isFalse();
  }

  @Test
  void theUnsafeBlockReachesRatisBesideTheRawMap() throws Exception {
    RaftProperties p = properties("""
        ratis: {raft.server.log.segment.size.max: 8KB}
        unsafe: {ratis: {raft.server.log.unsafe-flush.enabled: 'true'}}
        """);
    assertThat(Log.unsafeFlushEnabled(p)).isTrue();
    assertThat(RaftServerConfigKeys.Log.segmentSizeMax(p)).isEqualTo(SizeInBytes.valueOf("8KB"));
  }

  @Test
  void skipLogSyncMakesRatisCountEntriesBeforeTheirFlush() throws Exception {
    assertThat(Log.unsafeFlushEnabled(properties("unsafe: {skipLogSync: true}"))).isTrue();
  }
}
