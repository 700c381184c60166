package io.rocksraft.server.tier;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manifests in the bucket, newest first: the newest is the restore point, the older ones are
 * kept for point-in-time restore until {@link #retain} drops them. "Newest" is the greatest
 * (term, index) among the keys, so it never depends on which writer wrote last.
 */
public final class ManifestCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestCatalog.class);

  /** A manifest's object: its position, key and write time. */
  public record Entry(SnapshotPosition position, String key, ObjectInfo object) {
  }

  private final ObjectStore store;
  /** Another cluster's manifests already warned about. */
  private final Set<String> warnedForeign = ConcurrentHashMap.newKeySet();

  public ManifestCatalog(ObjectStore store) {
    this.store = store;
  }

  /** Every manifest, newest first (one LIST, plus one request per further page of 1000). */
  public List<Entry> list() throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (ObjectInfo o : store.list(TierLayout.MANIFEST_PREFIX)) {
      Optional<SnapshotPosition> position = TierLayout.parseManifestKey(o.key());
      if (position.isPresent()) {
        entries.add(new Entry(position.get(), o.key(), o));
      } else {
        LOG.warn("ignoring {} in {}: not a manifest name", o.key(), store.describe());
      }
    }
    entries.sort(Comparator.comparing(Entry::position).reversed());
    return entries;
  }

  public Optional<Entry> latest() throws IOException {
    return list().stream().findFirst();
  }

  public Manifest read(Entry entry) throws IOException {
    return read(entry.key());
  }

  /** Reads a manifest and checks that it is the one its key names. */
  public Manifest read(String key) throws IOException {
    String where = store.describe() + key;
    Manifest m = Manifest.fromJson(store.getBytes(key), where);
    if (!m.key().equals(key)) {
      throw new TierException("manifest " + where + " describes " + m.position() + ", not what its name says");
    }
    return m;
  }

  public Optional<Manifest> readLatest() throws IOException {
    Optional<Entry> latest = latest();
    return latest.isPresent() ? Optional.of(read(latest.get())) : Optional.empty();
  }

  /**
   * The newest manifest of cluster {@code clusterId}. Another cluster's manifests (two clusters in
   * one prefix, such as one restored from the other under a new name) are skipped, with a warning
   * once per manifest: their positions are in another log, and installing one would put another
   * history in place of this cluster's.
   */
  public Optional<Manifest> readLatest(String clusterId) throws IOException {
    for (Entry e : list()) {
      Manifest m = read(e);
      if (m.clusterId().equals(clusterId)) {
        return Optional.of(m);
      }
      if (warnedForeign.add(e.key())) {
        LOG.warn("skipping manifest {} in {}: it is of cluster '{}', not '{}'; give each cluster a prefix of its own",
            e.key(), store.describe(), m.clusterId(), clusterId);
      }
    }
    return Optional.empty();
  }

  /**
   * Deletes all but the newest {@code keep} manifests and returns the ones deleted. Their files
   * stay until {@link GarbageCollector#collect} finds them unreferenced.
   */
  public List<Entry> retain(int keep) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep at least the newest manifest, not " + keep);
    }
    List<Entry> all = list();
    List<Entry> drop = all.subList(Math.min(keep, all.size()), all.size());
    store.deleteAll(drop.stream().map(Entry::key).toList());
    if (!drop.isEmpty()) {
      LOG.info("retention dropped {} manifest(s) from {}, oldest kept {}", drop.size(), store.describe(),
          all.get(keep - 1).position());
    }
    return List.copyOf(drop);
  }
}
