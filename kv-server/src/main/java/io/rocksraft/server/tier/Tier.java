package io.rocksraft.server.tier;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.server.config.TierConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The tier of one node, put together from its configuration: the store of the configured
 * backend, and the uploader, downloader, catalog and garbage collector over it.
 */
public final class Tier implements AutoCloseable {
  private final TierConfig config;
  private final ObjectStore store;
  private final TierUploader uploader;
  private final TierDownloader downloader;
  private final ManifestCatalog catalog;
  private final GarbageCollector collector;

  public Tier(TierConfig config, ObjectStore store, TierMetrics metrics, Clock clock) {
    this.config = config;
    this.store = store;
    Duration grace = Duration.ofMillis(config.gcGraceMs());
    this.uploader = new TierUploader(store, metrics, grace, clock);
    this.downloader = new TierDownloader(store);
    this.catalog = new ManifestCatalog(store);
    this.collector = new GarbageCollector(store, grace, clock);
  }

  /** Opens the configured backend; the directory backend defaults to {@code tier} beside {@code dataDir}. */
  public static Tier open(TierConfig config, Path dataDir, MetricRegistry registry) throws IOException {
    config.validate();
    TierMetrics metrics = new TierMetrics(registry);
    return new Tier(config, openStore(config, dataDir, metrics), metrics, Clock.systemUTC());
  }

  public static ObjectStore openStore(TierConfig config, Path dataDir, TierMetrics metrics) throws IOException {
    return switch (config.backend()) {
      case TierConfig.DIRECTORY -> new DirectoryObjectStore(config.directoryFor(dataDir), metrics,
          new TokenBucket(config.uploadBytesPerSecond()));
      case TierConfig.S3_BACKEND -> new S3ObjectStore(config, metrics);
      default -> throw new IllegalArgumentException("unknown tier backend '" + config.backend() + "'");
    };
  }

  public ObjectStore store() {
    return store;
  }

  public TierUploader uploader() {
    return uploader;
  }

  public TierDownloader downloader() {
    return downloader;
  }

  public ManifestCatalog catalog() {
    return catalog;
  }

  public GarbageCollector garbageCollector() {
    return collector;
  }

  /** Drops manifests beyond {@code tier.retainManifests}, newest kept. */
  public List<ManifestCatalog.Entry> applyRetention() throws IOException {
    return catalog.retain(config.retainManifests());
  }

  @Override
  public void close() {
    store.close();
  }
}
