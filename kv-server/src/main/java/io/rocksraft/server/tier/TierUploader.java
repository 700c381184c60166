package io.rocksraft.server.tier;

import io.rocksraft.server.tier.Manifest.FileEntry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships a local snapshot directory (a RocksDB checkpoint) to the store: the files the bucket
 * lacks, then the manifest, last, create-only. One uploader per node; uploads run one at a time.
 *
 * <p>Two rules keep a concurrent {@link GarbageCollector} from deleting what a new manifest needs
 * (docs/architecture.md, "The object-storage tier"): an object already in the bucket is reused
 * only if the newest manifest names it or it is younger than half the GC grace period; and the
 * manifest is written within half the grace period of the oldest object it relies on by age
 * (older ones are uploaded again first).
 */
public final class TierUploader {
  private static final Logger LOG = LoggerFactory.getLogger(TierUploader.class);
  /** Keys one LIST page returns at most (S3's limit). */
  static final int LIST_PAGE = 1000;

  /** How the uploader learnt which objects the bucket already has. */
  public enum ExistenceCheck { NONE, LIST, HEAD }

  private record LocalFile(Path path, FileEntry entry) {
  }

  private record CachedChecksum(long size, Instant modified, String crc32c) {
  }

  private final ObjectStore store;
  private final ManifestCatalog catalog;
  private final TierMetrics metrics;
  private final Duration reuseWindow;
  private final Clock clock;
  /** CRC32Cs of the last upload's files by inode: a checkpoint's SSTs are hard links to the same files. */
  private Map<Object, CachedChecksum> checksums = Map.of();
  /** Objects under each data prefix when last listed, plus those uploaded since: what a LIST would cost. */
  private final Map<String, Long> knownObjects = new HashMap<>();

  public TierUploader(ObjectStore store, TierMetrics metrics, Duration gcGrace, Clock clock) {
    this.store = store;
    this.catalog = new ManifestCatalog(store);
    this.metrics = metrics;
    this.reuseWindow = gcGrace.dividedBy(2);
    this.clock = clock;
  }

  /**
   * Uploads the checkpoint in {@code snapshotDir} as the snapshot at (term, index).
   *
   * @throws StaleManifestException when the bucket already has a newer manifest, or a different
   *     one for the same position; nothing is published then
   */
  public synchronized UploadResult upload(Path snapshotDir, String clusterId, long term, long index, long revision)
      throws IOException {
    long started = System.nanoTime();
    SnapshotPosition position = new SnapshotPosition(term, index);
    List<LocalFile> local = scan(snapshotDir);
    int repaired = repair(local);
    Manifest manifest = new Manifest(Manifest.FORMAT, clusterId, term, index, revision, clock.instant(),
        local.stream().map(LocalFile::entry).toList());

    Optional<ManifestCatalog.Entry> newest = catalog.latest();
    if (newest.isPresent() && newest.get().position().compareTo(position) >= 0) {
      return alreadyPublished(manifest, newest.get(), started);
    }
    Set<String> referenced = newest.isPresent() ? keys(catalog.read(newest.get())) : Set.of();

    Map<String, LocalFile> toCheck = new LinkedHashMap<>();
    for (LocalFile f : local) {
      if (!referenced.contains(f.entry().key())) {
        toCheck.put(f.entry().key(), f);
      }
    }
    ExistenceCheck check = chooseCheck(toCheck.keySet(), referenced);
    Map<String, ObjectInfo> present = present(check, toCheck.keySet());

    // Objects this manifest relies on by age rather than by the newest manifest: when each was written.
    Map<String, Instant> reliedOnByAge = new HashMap<>();
    List<LocalFile> missing = new ArrayList<>();
    Instant reuseFrom = clock.instant().minus(reuseWindow);
    for (LocalFile f : toCheck.values()) {
      ObjectInfo there = present.get(f.entry().key());
      if (there != null && there.size() == f.entry().size() && there.lastModified().isAfter(reuseFrom)) {
        reliedOnByAge.put(f.entry().key(), there.lastModified());
      } else {
        missing.add(f);
      }
    }
    long bytes = 0;
    for (LocalFile f : missing) {
      Instant before = clock.instant();
      store.put(f.entry().key(), f.path());
      reliedOnByAge.put(f.entry().key(), before);
      knownObjects.merge(prefixOf(f.entry().key()), 1L, Long::sum);
      bytes += f.entry().size();
    }
    int uploaded = missing.size() + refreshOld(toCheck, reliedOnByAge) + repaired;

    Optional<ManifestCatalog.Entry> newestNow = catalog.latest();
    if (newestNow.isPresent() && newestNow.get().position().compareTo(position) >= 0) {
      return alreadyPublished(manifest, newestNow.get(), started);
    }
    if (!store.putIfAbsent(manifest.key(), manifest.toJson())) {
      return alreadyPublished(manifest, new ManifestCatalog.Entry(position, manifest.key(), null), started);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    metrics.uploadTook(took);
    LOG.info("published snapshot term {} index {} to {}: {} of {} files uploaded ({} bytes), existence check {},"
        + " in {} ms", term, index, store.describe(), uploaded, local.size(), bytes, check, took.toMillis());
    return new UploadResult(manifest, true, uploaded, bytes, local.size() - uploaded, check, took);
  }

  /**
   * Uploads again the objects a restore found corrupt (their markers under {@code repair/}) that
   * this snapshot holds, and drops those markers. Without it a corrupt object that the newest
   * manifest names is reused by every later upload, so every restore fails. Each file is hashed
   * afresh first: it must be the content its key names.
   */
  private int repair(List<LocalFile> local) throws IOException {
    List<ObjectInfo> markers = store.list(TierLayout.REPAIR_PREFIX);
    int repaired = 0;
    for (ObjectInfo marker : markers) {
      String key = TierLayout.repairedObject(marker.key());
      LocalFile f = local.stream().filter(l -> l.entry().key().equals(key)).findFirst().orElse(null);
      if (f == null) {
        continue; // a leader whose snapshot holds that file repairs it
      }
      if (!Crc32c.of(f.path()).equals(f.entry().crc32c())) {
        LOG.warn("not repairing {}: the local {} no longer matches it", key, f.path());
        continue;
      }
      store.put(key, f.path());
      store.delete(marker.key());
      LOG.warn("uploaded {} to {} again: a restore found it corrupt", key, store.describe());
      repaired++;
    }
    return repaired;
  }

  /**
   * Uploads again the objects relied on by age that are about to leave the reuse window (an upload
   * slower than half the GC grace period), so that none can be collected before the manifest
   * names it; fails if even that took too long.
   */
  private int refreshOld(Map<String, LocalFile> files, Map<String, Instant> reliedOnByAge) throws IOException {
    int refreshed = 0;
    Instant bound = clock.instant().minus(reuseWindow);
    for (Map.Entry<String, Instant> e : reliedOnByAge.entrySet()) {
      if (e.getValue().isBefore(bound)) {
        LocalFile f = files.get(e.getKey());
        Instant before = clock.instant();
        store.put(e.getKey(), f.path());
        e.setValue(before);
        refreshed++;
      }
    }
    Instant oldest = reliedOnByAge.values().stream().min(Instant::compareTo).orElse(Instant.MAX);
    if (oldest.isBefore(clock.instant().minus(reuseWindow))) {
      throw new TierException("the upload to " + store.describe() + " is slower than half the GC grace period ("
          + reuseWindow + "); raise tier.gcGraceMs or tier.uploadBytesPerSecond");
    }
    return refreshed;
  }

  /**
   * The bucket already has a manifest at or after {@code manifest}'s position: the same snapshot
   * (a repeated upload, or our own earlier attempt whose answer was lost) is success without a
   * write; anything else is stale.
   */
  private UploadResult alreadyPublished(Manifest manifest, ManifestCatalog.Entry existing, long started)
      throws IOException {
    if (existing.position().equals(manifest.position())) {
      Manifest there = catalog.read(existing.key());
      if (there.sameFiles(manifest)) {
        LOG.info("snapshot term {} index {} is already in {}", manifest.term(), manifest.index(), store.describe());
        return new UploadResult(there, false, 0, 0, manifest.files().size(), ExistenceCheck.NONE,
            Duration.ofNanos(System.nanoTime() - started));
      }
    }
    throw new StaleManifestException(manifest.position(), existing.position());
  }

  /**
   * LIST the data prefixes or HEAD each object, whichever takes fewer requests: a LIST page
   * answers for up to 1000 objects, a HEAD for one.
   */
  private ExistenceCheck chooseCheck(Set<String> keys, Set<String> referenced) {
    if (keys.isEmpty()) {
      return ExistenceCheck.NONE;
    }
    long listRequests = 0;
    for (String prefix : keys.stream().map(TierUploader::prefixOf).collect(Collectors.toSet())) {
      long known = knownObjects.getOrDefault(prefix,
          referenced.stream().filter(k -> k.startsWith(prefix)).count());
      listRequests += Math.max(1, (known + LIST_PAGE - 1) / LIST_PAGE);
    }
    return keys.size() < listRequests ? ExistenceCheck.HEAD : ExistenceCheck.LIST;
  }

  private Map<String, ObjectInfo> present(ExistenceCheck check, Set<String> keys) throws IOException {
    Map<String, ObjectInfo> present = new HashMap<>();
    if (check == ExistenceCheck.HEAD) {
      for (String key : keys) {
        store.head(key).ifPresent(info -> present.put(key, info));
      }
    } else if (check == ExistenceCheck.LIST) {
      for (String prefix : new TreeSet<>(keys.stream().map(TierUploader::prefixOf).toList())) {
        List<ObjectInfo> listed = store.list(prefix);
        knownObjects.put(prefix, (long) listed.size());
        for (ObjectInfo info : listed) {
          if (keys.contains(info.key())) {
            present.put(info.key(), info);
          }
        }
      }
    }
    return present;
  }

  private static String prefixOf(String key) {
    return key.substring(0, key.indexOf('/') + 1);
  }

  private static Set<String> keys(Manifest m) {
    return m.files().stream().map(FileEntry::key).collect(Collectors.toSet());
  }

  /** The checkpoint's files with sizes and CRC32Cs; a file seen in the last upload is not read again. */
  private List<LocalFile> scan(Path dir) throws IOException {
    List<LocalFile> files = new ArrayList<>();
    Map<Object, CachedChecksum> seen = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        String name = p.getFileName().toString();
        if (!a.isRegularFile()) {
          throw new TierException("snapshot " + dir + " holds " + name + ", which is not a regular file;"
              + " a snapshot is a flat directory of files");
        }
        try {
          TierLayout.checkFileName(name);
        } catch (IllegalArgumentException e) {
          throw new TierException("snapshot " + dir + ": " + e.getMessage());
        }
        Instant modified = a.lastModifiedTime().toInstant();
        Object inode = a.fileKey();
        CachedChecksum cached = inode == null ? null : checksums.get(inode);
        String crc = cached != null && cached.size() == a.size() && cached.modified().equals(modified)
            ? cached.crc32c() : Crc32c.of(p);
        if (inode != null) {
          seen.put(inode, new CachedChecksum(a.size(), modified, crc));
        }
        files.add(new LocalFile(p, FileEntry.of(name, a.size(), crc)));
      }
    }
    checksums = seen;
    return files;
  }
}
