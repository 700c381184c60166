package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.GetResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code unsafe.readLocal} really is unsafe: a node cut off from every other member still answers
 * "linearizable" reads from its own state, where a safe node fails them for want of a quorum
 * ({@link AvailabilityTest#withoutQuorumWritesFailUnavailableAndDeadlinesAreHonoured}). The
 * fault-injection runs rely on this to show their checker catches stale reads.
 */
class UnsafeReadLocalTest {
  @Test
  void aNodeWithoutQuorumStillAnswersLinearizableReads() throws Exception {
    try (TestCluster t = TestCluster.start(3, "unsafe: {readLocal: true}\n")) {
      String leader = t.leader();
      t.client().put(ByteString.copyFromUtf8("unsafe/k"), ByteString.copyFromUtf8("v1"));
      t.awaitCaughtUp(leader);
      for (String f : t.followers(leader)) {
        t.cluster.kill(f);
      }
      GetResponse r = t.rawStub(leader).withDeadlineAfter(2, TimeUnit.SECONDS)
          .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("unsafe/k")).build());
      assertThat(r.getKv().getValue().toStringUtf8()).isEqualTo("v1");
    }
  }
}
