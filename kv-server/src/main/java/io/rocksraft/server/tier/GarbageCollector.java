package io.rocksraft.server.tier;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes data objects ({@code sst/}, {@code files/}) that no manifest in the bucket names and
 * that were written more than the grace period before the manifests were listed. A separate,
 * explicit step: uploads never delete anything.
 *
 * <p>Why a concurrent upload is safe: the cut-off is taken before the manifests are listed. A
 * manifest published after that listing relies only on objects the newest manifest named (then
 * named at the listing too) or on objects at most half the grace period older than itself (so
 * younger than the cut-off). Either way none of its objects is a candidate.
 */
public final class GarbageCollector {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  /** What a collection found and did. */
  public record Result(int manifests, int objects, int deleted, long bytesDeleted, int unreferencedButYoung) {
  }

  private final ObjectStore store;
  private final ManifestCatalog catalog;
  private final Duration grace;
  private final Clock clock;

  public GarbageCollector(ObjectStore store, Duration grace, Clock clock) {
    this.store = store;
    this.catalog = new ManifestCatalog(store);
    this.grace = grace;
    this.clock = clock;
  }

  public Result collect() throws IOException {
    Instant cutoff = clock.instant().minus(grace);
    List<ManifestCatalog.Entry> manifests = catalog.list();
    Set<String> referenced = new HashSet<>();
    for (ManifestCatalog.Entry m : manifests) {
      // An unreadable manifest aborts the collection: what it names is unknown, so nothing may go.
      catalog.read(m).files().forEach(f -> referenced.add(f.key()));
    }
    int objects = 0;
    int young = 0;
    long bytes = 0;
    List<String> doomed = new ArrayList<>();
    for (String prefix : TierLayout.DATA_PREFIXES) {
      for (ObjectInfo o : store.list(prefix)) {
        objects++;
        if (referenced.contains(o.key())) {
          continue;
        }
        if (o.lastModified().isBefore(cutoff)) {
          doomed.add(o.key());
          bytes += o.size();
        } else {
          young++;
        }
      }
    }
    store.deleteAll(doomed);
    Result result = new Result(manifests.size(), objects, doomed.size(), bytes, young);
    LOG.info("garbage collection of {}: {}", store.describe(), result);
    return result;
  }
}
