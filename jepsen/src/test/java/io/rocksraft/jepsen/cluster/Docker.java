package io.rocksraft.jepsen.cluster;

import static org.junit.jupiter.api.Assertions.fail;

/** The container tests need a Docker engine: without one they fail, never skip silently. */
public final class Docker {
  private Docker() {}

  /** Fails the calling test, with what to do, when no Docker engine answers. */
  public static void requireEngine() {
    if (!ContainerCluster.dockerAvailable()) {
      fail("no Docker engine answers: run ./verify (it installs and starts one, as CI does) or "
          + "jepsen/docker/ensure-docker.sh first");
    }
  }
}
