package io.rocksraft.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.error.KvException;
import org.junit.jupiter.api.Test;

class ClientLimiterTest {
  @Test
  void eachClientHasItsOwnBoundsAndIsForgottenWhenIdle() {
    ClientLimiter limiter = new ClientLimiter(new NodeConfig.ClientLimits(2, 0, 1));
    ClientLimiter.Permit a1 = limiter.admit("a", null);
    ClientLimiter.Permit a2 = limiter.admit("a", null);
    assertThatThrownBy(() -> limiter.admit("a", null)).isInstanceOf(KvException.class).hasMessageContaining("maxInFlight");
    limiter.admit("b", null).close(); // another client is not held up by a's
    ClientLimiter.Permit watch = limiter.openWatch("a");
    assertThatThrownBy(() -> limiter.openWatch("a")).hasMessageContaining("maxWatches");
    a1.close();
    a1.close(); // twice releases once
    limiter.admit("a", null).close();
    assertThat(limiter.trackedClients()).isEqualTo(1);
    a2.close();
    watch.close();
    assertThat(limiter.trackedClients()).isZero();
  }

  @Test
  void eachUserHasABucketOfOneSecondsRequests() {
    ClientLimiter limiter = new ClientLimiter(new NodeConfig.ClientLimits(1000, 5, 1));
    for (int i = 0; i < 5; i++) {
      limiter.admit("user alice", "alice").close();
    }
    assertThatThrownBy(() -> limiter.admit("user alice", "alice")).hasMessageContaining("requestsPerSecond");
    limiter.admit("user bob", "bob").close();
    // Without authentication there is no user, and no rate bound.
    for (int i = 0; i < 50; i++) {
      limiter.admit("connection x", null).close();
    }
  }
}
