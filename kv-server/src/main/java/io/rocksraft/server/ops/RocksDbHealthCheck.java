package io.rocksraft.server.ops;

import com.codahale.metrics.health.HealthCheck;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.raftlog.RocksDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.rocksdb.RocksDBException;

/**
 * The {@code rocksdb} health check: the node's databases (state and Raft log payloads) answer
 * a property read and have no background error (after one RocksDB refuses writes), and the
 * data directory's disk has room left: a full disk stops both the Raft log and the state machine.
 */
public final class RocksDbHealthCheck extends HealthCheck {
  public static final String NAME = "rocksdb";

  private final List<Supplier<RocksDatabase>> databases;
  private final Path dataDir;
  private final NodeConfig.Health bounds;

  /** {@code databases} are asked at every check: installing a snapshot replaces the state database. */
  public RocksDbHealthCheck(List<Supplier<RocksDatabase>> databases, Path dataDir, NodeConfig.Health bounds) {
    this.databases = List.copyOf(databases);
    this.dataDir = dataDir;
    this.bounds = bounds;
  }

  @Override
  protected Result check() {
    long backgroundErrors = 0;
    for (Supplier<RocksDatabase> database : databases) {
      RocksDatabase db = database.get();
      if (db == null) {
        return Result.unhealthy("a RocksDB of this node is closed");
      }
      try {
        backgroundErrors += db.property(null, "rocksdb.background-errors");
      } catch (RocksDBException | IllegalStateException e) {
        return Result.unhealthy("RocksDB at %s does not answer: %s", db.dir(), e.getMessage());
      }
    }
    long free;
    try {
      free = Files.getFileStore(dataDir).getUsableSpace();
    } catch (IOException e) {
      return Result.unhealthy("cannot read the free space of %s: %s", dataDir, e.getMessage());
    }
    List<String> failed = new ArrayList<>();
    if (backgroundErrors > 0) {
      failed.add(backgroundErrors + " RocksDB background errors (see the node log)");
    }
    if (free < bounds.minFreeDiskBytes()) {
      failed.add(free + " bytes free on the disk of " + dataDir + ", bound " + bounds.minFreeDiskBytes());
    }
    ResultBuilder result = failed.isEmpty()
        ? Result.builder().healthy().withMessage("open, %d bytes free on the disk of %s", free, dataDir)
        : Result.builder().unhealthy().withMessage(String.join("; ", failed));
    return result.withDetail("freeDiskBytes", free).withDetail("backgroundErrors", backgroundErrors).build();
  }
}
