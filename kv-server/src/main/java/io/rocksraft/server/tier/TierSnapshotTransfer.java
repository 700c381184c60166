package io.rocksraft.server.tier;

import io.rocksraft.server.state.FileOps;
import io.rocksraft.server.state.SnapshotStore;
import io.rocksraft.server.state.SnapshotTransfer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships this node's snapshots to the bucket while it leads, and fetches one from there when the
 * leader says this node needs one, for as long as {@code tier.bucketWaitMs} allows.
 *
 * <p>Uploads run on their own thread, never on Ratis': a snapshot is hard-linked into a staging
 * directory at once (so pruning cannot take its files away) and uploaded from there, retried
 * with backoff until it succeeds, a newer one replaces it, or this node stops leading. A failing
 * bucket only makes {@link #status()} unhealthy; the node goes on serving. While idle the
 * transfer lists the manifests every {@code PROBE_INTERVAL} so a bucket that went away shows.
 */
public final class TierSnapshotTransfer implements SnapshotTransfer, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TierSnapshotTransfer.class);
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(10);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);
  private static final Duration FETCH_POLL = Duration.ofSeconds(1);

  /** What the health check reports: whether the last talk to the bucket worked. */
  public record Status(boolean healthy, String message, Instant since, long lastUploadedIndex) {}

  private record Staged(Path dir, long term, long index, long revision) {}

  private final Tier tier;
  private final String clusterId;
  private final BooleanSupplier isLeader;
  private final Supplier<Optional<SnapshotStore.Local>> latestLocal;
  private final Path staging;
  private final Duration bucketWait;
  private final ScheduledExecutorService worker;
  /** Looks for a manifest on behalf of a fetch, which waits for the answer only so long. */
  private final ExecutorService lookups;
  private Staged pending;
  private int failures;
  private volatile Status status = new Status(true, "no upload yet", Instant.now(), 0);

  /**
   * {@code staging}: a directory on the same file system as the snapshots (for hard links);
   * {@code bucketWait}: how long a fetch waits for the bucket to answer with a new enough manifest.
   */
  public TierSnapshotTransfer(Tier tier, String clusterId, BooleanSupplier isLeader,
                              Supplier<Optional<SnapshotStore.Local>> latestLocal, Path staging,
                              Duration bucketWait) throws IOException {
    this.tier = tier;
    this.clusterId = clusterId;
    this.isLeader = isLeader;
    this.latestLocal = latestLocal;
    this.staging = staging;
    this.bucketWait = bucketWait;
    FileOps.deleteTree(staging);
    Files.createDirectories(staging);
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tier-upload");
      t.setDaemon(true);
      return t;
    });
    this.lookups = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tier-fetch-look");
      t.setDaemon(true);
      return t;
    });
    worker.scheduleWithFixedDelay(this::probeWhenIdle, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean enabled() {
    return true;
  }

  public Status status() {
    return status;
  }

  @Override
  public void taken(SnapshotStore.Local snapshot) {
    if (!isLeader.getAsBoolean()) {
      return; // the leader's snapshots are the ones in the bucket
    }
    try {
      Staged staged = stage(snapshot);
      worker.execute(() -> replacePending(staged));
    } catch (IOException e) {
      LOG.warn("could not stage snapshot {} for upload: {}", snapshot.dir().getFileName(), e.getMessage());
    }
  }

  @Override
  public void leading() {
    worker.execute(() -> latestLocal.get().filter(l -> l.index() > status.lastUploadedIndex()).ifPresent(l -> {
      try {
        replacePending(stage(l));
      } catch (IOException e) {
        LOG.warn("could not stage snapshot {} for upload after becoming leader: {}", l.dir().getFileName(),
            e.getMessage());
      }
    }));
  }

  /** Hard-links the snapshot's files into the staging directory (on the worker or the apply thread). */
  private Staged stage(SnapshotStore.Local snapshot) throws IOException {
    Path dir = staging.resolve(snapshot.dir().getFileName().toString());
    FileOps.deleteTree(dir);
    Files.createDirectories(dir);
    for (String name : FileOps.fileNames(snapshot.dir())) {
      Files.createLink(dir.resolve(name), snapshot.dir().resolve(name));
    }
    return new Staged(dir, snapshot.term(), snapshot.index(), snapshot.manifest().revision());
  }

  private void replacePending(Staged staged) {
    if (pending != null && pending.index() >= staged.index()) {
      discard(staged);
      return;
    }
    if (pending != null) {
      discard(pending);
    }
    pending = staged;
    failures = 0;
    upload();
  }

  private void upload() {
    Staged s = pending;
    if (s == null) {
      return;
    }
    if (!isLeader.getAsBoolean()) {
      LOG.info("not leading any more: snapshot {} is left to the new leader", s.dir().getFileName());
      finish(s);
      return;
    }
    try {
      UploadResult r = tier.uploader().upload(s.dir(), clusterId, s.term(), s.index(), s.revision());
      LOG.info("snapshot {} in the bucket: {} files ({} bytes) uploaded, {} already there, in {} ms",
          s.dir().getFileName(), r.filesUploaded(), r.bytesUploaded(), r.filesReused(), r.took().toMillis());
      status = new Status(true, "snapshot " + s.index() + " uploaded", Instant.now(), s.index());
      finish(s);
      tier.applyRetention();
    } catch (StaleManifestException e) {
      LOG.info("snapshot {} not uploaded: {}", s.dir().getFileName(), e.getMessage());
      status = new Status(true, e.getMessage(), Instant.now(), status.lastUploadedIndex());
      finish(s);
    } catch (IOException | RuntimeException e) {
      failures++;
      long delay = Math.min(MAX_RETRY_DELAY.toMillis(), 1000L << Math.min(failures, 5));
      LOG.warn("uploading snapshot {} failed ({} times); retrying in {} ms: {}", s.dir().getFileName(), failures,
          delay, e.getMessage());
      fail("uploading snapshot " + s.index() + " failed " + failures + " times: " + e.getMessage());
      worker.schedule(() -> {
        if (pending == s) {
          upload();
        }
      }, delay, TimeUnit.MILLISECONDS);
    }
  }

  private void finish(Staged s) {
    if (pending == s) {
      pending = null;
    }
    discard(s);
  }

  private static void discard(Staged s) {
    try {
      FileOps.deleteTree(s.dir());
    } catch (IOException e) {
      LOG.warn("could not remove staged snapshot {}: {}", s.dir(), e.getMessage());
    }
  }

  private void probeWhenIdle() {
    if (pending != null) {
      return; // the retries tell
    }
    try {
      tier.catalog().latest();
      if (!status.healthy()) {
        status = new Status(true, "bucket reachable again", Instant.now(), status.lastUploadedIndex());
        LOG.info("the bucket answers again");
      }
    } catch (IOException | RuntimeException e) {
      if (status.healthy()) {
        LOG.warn("the bucket does not answer: {}", e.getMessage());
      }
      fail("listing manifests failed: " + e.getMessage());
    }
  }

  private void fail(String message) {
    Instant since = status.healthy() ? Instant.now() : status.since();
    status = new Status(false, message, since, status.lastUploadedIndex());
  }

  @Override
  public Optional<Path> fetch(long minIndex, boolean awaitUpload, Path snapshotsRoot) throws IOException {
    Optional<Manifest> found = find(minIndex, awaitUpload, System.nanoTime() + bucketWait.toNanos());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(download(found.get(), snapshotsRoot));
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      LOG.warn("fetching snapshot {} from the bucket failed: {}", found.get().position(), e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * This cluster's newest manifest in the bucket if it is at {@code minIndex} or later, looking until
   * {@code deadline}. Each look runs on its own thread and is abandoned at the deadline: a bucket
   * that does not answer (a paused server, a black-holed network) must not hold up the caller.
   */
  private Optional<Manifest> find(long minIndex, boolean awaitUpload, long deadline) throws IOException {
    while (true) {
      Future<Optional<Manifest>> look = lookups.submit(() -> tier.catalog().readLatest(clusterId));
      String found;
      try {
        Optional<Manifest> latest = look.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (latest.isPresent() && latest.get().index() >= minIndex) {
          return latest;
        }
        found = "newest: " + latest.map(m -> m.position().toString()).orElse("none");
      } catch (TimeoutException e) {
        look.cancel(true);
        found = "no answer";
      } catch (ExecutionException e) {
        found = "it fails: " + e.getCause().getMessage();
      } catch (InterruptedException e) {
        look.cancel(true);
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while looking for a snapshot in the bucket");
      }
      if (!awaitUpload || System.nanoTime() + FETCH_POLL.toNanos() > deadline) {
        LOG.info("no snapshot at index {} or later from the bucket{} ({})", minIndex,
            awaitUpload ? " within " + bucketWait.toMillis() + " ms" : "", found);
        return Optional.empty();
      }
      try {
        // The leader uploads a snapshot moments after it purges the log below it.
        Thread.sleep(FETCH_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for a snapshot in the bucket");
      }
    }
  }

  private Path download(Manifest m, Path snapshotsRoot) throws IOException {
    Path target = snapshotsRoot.resolve(m.term() + "_" + m.index());
    if (Files.isDirectory(target)) {
      return target;
    }
    Path tmp = snapshotsRoot.resolve(target.getFileName() + ".tmp");
    List<Path> local = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(snapshotsRoot)) {
      dirs.filter(Files::isDirectory).filter(d -> !d.equals(tmp)).forEach(local::add);
    }
    long started = System.nanoTime();
    DownloadResult r = tier.downloader().download(m, tmp, local);
    FileOps.sync(tmp);
    FileOps.rename(tmp, target);
    LOG.info("fetched snapshot {} from the bucket in {} ms: {} files ({} bytes) downloaded, {} linked, {} copied",
        target.getFileName(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), r.downloaded(),
        r.bytesDownloaded(), r.linked(), r.copied());
    return target;
  }

  @Override
  public void close() {
    worker.shutdownNow();
    lookups.shutdownNow();
    tier.close();
  }
}
