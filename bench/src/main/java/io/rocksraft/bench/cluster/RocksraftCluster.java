package io.rocksraft.bench.cluster;

import io.rocksraft.server.local.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rocksraft cluster of node processes on free loopback ports in a temporary directory, with the
 * node's default configuration (durable, linearizable reads). The nodes run on this JVM's class
 * path, which holds kv-server.
 */
public final class RocksraftCluster implements Deployment {
  private static final Logger LOG = LoggerFactory.getLogger(RocksraftCluster.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);

  private final LocalCluster cluster;

  private RocksraftCluster(LocalCluster cluster) {
    this.cluster = cluster;
  }

  public static RocksraftCluster start(Path parent, int size, Duration timeout, RocksraftSetup setup) {
    Path dir = Directories.create(parent, "rocksraft-");
    RocksraftCluster started = null;
    try {
      started = new RocksraftCluster(LocalCluster.create(dir, size, 0, setup.jvmArgs(), setup.settings()));
      started.cluster.startAll();
      String leader = started.cluster.awaitLeader(timeout);
      LOG.info("rocksraft started: {} nodes in {}, leader {}, endpoints {}", size, dir, leader, started.endpoints());
      return started;
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (started != null) {
        started.close();
      } else {
        Directories.delete(dir);
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot start rocksraft: " + e, e);
    }
  }

  @Override
  public List<String> endpoints() {
    return cluster.clientAddresses();
  }

  @Override
  public List<NodeProcess> processes() {
    return cluster.nodes().stream()
        .map(n -> new NodeProcess(n.id(), n.pid(), Optional.of(URI.create("http://" + n.adminAddress() + "/metrics"))))
        .toList();
  }

  public Path dir() {
    return cluster.dir();
  }

  /** Stops the nodes cleanly (SIGTERM, SIGKILL after 20 s) and deletes the directory. */
  @Override
  public void close() {
    try {
      cluster.stopAll(STOP_GRACE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the nodes in " + cluster.dir(), e);
    } finally {
      Directories.delete(cluster.dir());
    }
    LOG.info("rocksraft stopped, {} deleted", cluster.dir());
  }
}
