package io.rocksraft.jepsen.cluster;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Whether the container tests can run here. */
final class Docker {
  /** Set by .ci/run, which installs and starts Docker: there a missing engine fails the run. */
  static final String REQUIRED = "ROCKSRAFT_REQUIRE_DOCKER";

  private Docker() {}

  /** Skips the calling test class without a Docker engine, unless one is required. */
  static void assumeAvailable() {
    if (ContainerCluster.dockerAvailable()) {
      return;
    }
    String hint = "no Docker engine answers; jepsen/docker/ensure-docker.sh installs and starts one";
    if (Boolean.parseBoolean(System.getenv(REQUIRED))) {
      fail(hint + " (" + REQUIRED + "=true)");
    }
    assumeTrue(false, hint);
  }
}
