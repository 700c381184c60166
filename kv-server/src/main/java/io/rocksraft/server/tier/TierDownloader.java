package io.rocksraft.server.tier;

import io.rocksraft.server.tier.Manifest.FileEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a snapshot from the store into a directory that RocksDB can open: exactly the
 * manifest's files, each checked against its size and CRC32C. Files the target already has are
 * kept; files found in local directories (older snapshots, a previous restore) are hard-linked
 * (SSTs, which RocksDB never changes) or copied (the rest); only what is left is downloaded. An
 * object that stays corrupt is marked for repair ({@link TierLayout#repairKey}).
 */
public final class TierDownloader {
  private static final Logger LOG = LoggerFactory.getLogger(TierDownloader.class);
  static final String PARTIAL = ".download-";
  /** Attempts per file whose downloaded bytes do not match the manifest (a corrupt transfer). */
  private static final int CHECKSUM_ATTEMPTS = 2;

  private final ObjectStore store;

  public TierDownloader(ObjectStore store) {
    this.store = store;
  }

  /**
   * Makes {@code target} hold exactly {@code manifest}'s files; anything else in it is deleted.
   *
   * @param localSources directories whose files may be reused when name, size and checksum match
   * @throws ChecksumMismatchException when an object's bytes do not match the manifest
   * @throws NoSuchObjectException when an object the manifest names is gone
   */
  public DownloadResult download(Manifest manifest, Path target, List<Path> localSources) throws IOException {
    Files.createDirectories(target);
    Set<String> names = manifest.files().stream().map(FileEntry::name).collect(Collectors.toSet());
    int removed = removeStrays(target, names);
    int downloaded = 0;
    int linked = 0;
    int copied = 0;
    int kept = 0;
    long bytes = 0;
    for (FileEntry entry : manifest.files()) {
      Path dest = target.resolve(entry.name());
      if (matches(dest, entry)) {
        kept++;
        continue;
      }
      Files.deleteIfExists(dest);
      Path local = findLocal(entry, target, localSources);
      if (local != null && TierLayout.isSst(entry.name()) && tryLink(dest, local)) {
        linked++;
      } else if (local != null) {
        Path tmp = partial(target, entry);
        Files.copy(local, tmp, StandardCopyOption.REPLACE_EXISTING);
        publish(tmp, dest);
        copied++;
      } else {
        fetch(entry, target, dest);
        downloaded++;
        bytes += entry.size();
      }
    }
    sync(target);
    DownloadResult result = new DownloadResult(downloaded, bytes, linked, copied, kept, removed);
    LOG.info("restored snapshot term {} index {} from {} into {}: {}", manifest.term(), manifest.index(),
        store.describe(), target, result);
    return result;
  }

  private void fetch(FileEntry entry, Path target, Path dest) throws IOException {
    Path tmp = partial(target, entry);
    for (int attempt = 1; ; attempt++) {
      store.get(entry.key(), tmp);
      String problem = mismatch(tmp, entry);
      if (problem == null) {
        publish(tmp, dest);
        return;
      }
      Files.deleteIfExists(tmp);
      if (attempt >= CHECKSUM_ATTEMPTS) {
        askForRepair(entry);
        throw new ChecksumMismatchException("object " + store.describe() + entry.key() + " for " + entry.name()
            + " does not match its manifest: " + problem);
      }
      LOG.warn("object {}{} does not match its manifest ({}); downloading it again", store.describe(),
          entry.key(), problem);
    }
  }

  /**
   * Leaves a marker for the uploader: the newest manifest may name this object, and an upload
   * reuses what the newest manifest names without looking at it. Best effort.
   */
  private void askForRepair(FileEntry entry) {
    String marker = TierLayout.repairKey(entry.key());
    try {
      store.put(marker, new byte[0]);
      LOG.warn("object {}{} is corrupt in the store: left {} so that the next upload holding {} sends it again",
          store.describe(), entry.key(), marker, entry.name());
    } catch (IOException e) {
      LOG.warn("object {}{} is corrupt in the store, and marking it for repair failed: {}", store.describe(),
          entry.key(), e.getMessage());
    }
  }

  private static Path partial(Path target, FileEntry entry) {
    return target.resolve(PARTIAL + entry.name());
  }

  /** Syncs {@code tmp} and renames it over {@code dest}. */
  private static void publish(Path tmp, Path dest) throws IOException {
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static boolean tryLink(Path dest, Path source) {
    try {
      Files.createLink(dest, source);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false; // another file system, or no hard links there: copy instead
    }
  }

  private static Path findLocal(FileEntry entry, Path target, List<Path> sources) throws IOException {
    for (Path dir : sources) {
      if (Files.isDirectory(dir) && !Files.isSameFile(dir, target)) {
        Path candidate = dir.resolve(entry.name());
        if (matches(candidate, entry)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static boolean matches(Path file, FileEntry entry) throws IOException {
    return Files.isRegularFile(file) && mismatch(file, entry) == null;
  }

  /** Why {@code file} is not {@code entry}'s content, or null when it is. */
  private static String mismatch(Path file, FileEntry entry) throws IOException {
    long size = Files.size(file);
    if (size != entry.size()) {
      return "size " + size + ", expected " + entry.size();
    }
    String crc = Crc32c.of(file);
    return crc.equals(entry.crc32c()) ? null : "crc32c " + crc + ", expected " + entry.crc32c();
  }

  private static int removeStrays(Path target, Set<String> names) throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
      for (Path p : entries) {
        if (!names.contains(p.getFileName().toString())) {
          if (Files.isDirectory(p)) {
            throw new TierException("restore target " + target + " holds a directory " + p.getFileName()
                + "; a snapshot directory is flat");
          }
          Files.delete(p);
          removed++;
        }
      }
    }
    return removed;
  }

  private static void sync(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not every file system lets a directory be opened for sync
    }
  }
}
