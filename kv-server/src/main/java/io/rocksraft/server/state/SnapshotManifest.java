package io.rocksraft.server.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What a snapshot holds, written as {@code manifest.json} beside its checkpoint files: the
 * Raft term and index and the store revision the state is at, and every file with its size
 * and the CRC32C of its whole content (8 hex digits). The object-storage tier checks files
 * with the same checksum.
 */
public record SnapshotManifest(long term, long index, long revision, long createdAtMillis, List<FileEntry> files) {
  public static final String FILE_NAME = "manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One checkpoint file: its name in the snapshot directory, size and CRC32C. */
  public record FileEntry(String name, long size, String crc32c) {}

  public SnapshotManifest {
    files = List.copyOf(files);
  }

  public long totalBytes() {
    return files.stream().mapToLong(FileEntry::size).sum();
  }

  public static SnapshotManifest read(Path snapshotDir) throws IOException {
    return JSON.readValue(snapshotDir.resolve(FILE_NAME).toFile(), SnapshotManifest.class);
  }

  /** A manifest from the bytes of its file (as a peer sent them). */
  static SnapshotManifest fromJson(byte[] json) throws IOException {
    return JSON.readValue(json, SnapshotManifest.class);
  }

  /** Writes the manifest into {@code snapshotDir} and syncs it. */
  void write(Path snapshotDir) throws IOException {
    Path file = snapshotDir.resolve(FILE_NAME);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(JSON.writeValueAsBytes(this));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(true);
    }
  }

  /** The entry for a file as it is on disk now. */
  static FileEntry describe(Path file) throws IOException {
    return new FileEntry(file.getFileName().toString(), Files.size(file), crc32c(file));
  }

  /** The CRC32C of a whole file as 8 hex digits. */
  public static String crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    }
    return HexFormat.of().toHexDigits((int) crc.getValue());
  }

  /**
   * Checks every listed file in {@code snapshotDir} against its size and checksum.
   *
   * @throws IOException naming the first file that is missing or differs
   */
  public void verify(Path snapshotDir) throws IOException {
    for (FileEntry expected : files) {
      Path file = snapshotDir.resolve(expected.name());
      if (!Files.isRegularFile(file)) {
        throw new IOException("snapshot " + snapshotDir + " lacks " + expected.name());
      }
      FileEntry actual = describe(file);
      if (!actual.equals(expected)) {
        throw new IOException("snapshot file " + file + " is " + actual + ", the manifest says " + expected);
      }
    }
  }
}
