package io.rocksraft.server.tier;

import io.rocksraft.server.tier.TierMetrics.Request;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory (the embedded default; also any shared file system the
 * nodes mount). Every write goes to a temporary file under {@code .tmp/}, is synced, and is then
 * renamed into place, so a reader sees the old object or the new one, never half of one.
 * {@link #putIfAbsent} publishes with a hard link, which the file system refuses when the name
 * exists: of two creators exactly one wins.
 */
public final class DirectoryObjectStore implements ObjectStore {
  static final String TMP = ".tmp";

  private final Path root;
  private final TierMetrics metrics;
  private final TokenBucket bandwidth;

  public DirectoryObjectStore(Path root, TierMetrics metrics, TokenBucket bandwidth) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.metrics = metrics;
    this.bandwidth = bandwidth;
    Files.createDirectories(this.root.resolve(TMP));
  }

  private Path path(String key) {
    return root.resolve(ObjectStore.checkKey(key));
  }

  @Override
  public void put(String key, Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      replace(key, in);
    }
  }

  @Override
  public void put(String key, byte[] bytes) throws IOException {
    replace(key, new ByteArrayInputStream(bytes));
  }

  private void replace(String key, InputStream in) throws IOException {
    Path target = path(key);
    metrics.request(Request.PUT);
    Path tmp = tempFile();
    try {
      long size = writeSynced(tmp, bandwidth.throttle(in));
      Files.createDirectories(target.getParent());
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(target.getParent());
      metrics.uploaded(size);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public boolean putIfAbsent(String key, byte[] bytes) throws IOException {
    Path target = path(key);
    metrics.request(Request.PUT);
    Path tmp = tempFile();
    try {
      writeSynced(tmp, bandwidth.throttle(new ByteArrayInputStream(bytes)));
      Files.createDirectories(target.getParent());
      try {
        // link(2) fails with EEXIST when the name is taken: the check and the create are one step.
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        return false;
      }
      syncDirectory(target.getParent());
      metrics.uploaded(bytes.length);
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public boolean atomicCreate() {
    return true;
  }

  @Override
  public void get(String key, Path target) throws IOException {
    Path source = path(key);
    metrics.request(Request.GET);
    try {
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException e) {
      throw new NoSuchObjectException(key, describe());
    }
    metrics.downloaded(Files.size(target));
  }

  @Override
  public byte[] getBytes(String key) throws IOException {
    Path source = path(key);
    metrics.request(Request.GET);
    try {
      byte[] bytes = Files.readAllBytes(source);
      metrics.downloaded(bytes.length);
      return bytes;
    } catch (NoSuchFileException e) {
      throw new NoSuchObjectException(key, describe());
    }
  }

  @Override
  public Optional<ObjectInfo> head(String key) throws IOException {
    Path source = path(key);
    metrics.request(Request.HEAD);
    try {
      return Optional.of(info(key, Files.readAttributes(source, BasicFileAttributes.class)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    metrics.request(Request.LIST);
    // Walk only the directory the prefix names, not the whole root.
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    List<ObjectInfo> found = new ArrayList<>();
    if (!Files.isDirectory(start)) {
      return found;
    }
    try (Stream<Path> files = Files.walk(start)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String key = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        if (key.startsWith(TMP + "/") || !key.startsWith(prefix)) {
          continue;
        }
        try {
          BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class);
          if (attributes.isRegularFile()) {
            found.add(info(key, attributes));
          }
        } catch (NoSuchFileException e) {
          // deleted while we walked: it is not there
        }
      }
    }
    found.sort(Comparator.comparing(ObjectInfo::key));
    return found;
  }

  @Override
  public void delete(String key) throws IOException {
    metrics.request(Request.DELETE);
    Files.deleteIfExists(path(key));
  }

  @Override
  public String describe() {
    return root + "/";
  }

  @Override
  public void close() {
    // nothing held open
  }

  private static ObjectInfo info(String key, BasicFileAttributes attributes) {
    return new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant());
  }

  private Path tempFile() {
    return root.resolve(TMP).resolve(UUID.randomUUID() + ".part");
  }

  private static long writeSynced(Path tmp, InputStream in) throws IOException {
    long size;
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
         OutputStream out = Channels.newOutputStream(channel)) {
      size = in.transferTo(out);
      out.flush();
      channel.force(true);
    }
    return size;
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not every file system lets a directory be opened for sync; the rename is still atomic
    }
  }
}
