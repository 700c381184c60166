package io.rocksraft.server.tier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a snapshot in the bucket is: the Raft position and store revision it holds, and every
 * file of its RocksDB checkpoint with size, CRC32C and the object it is stored as. Written as
 * JSON under {@link TierLayout#manifestKey}, after all the objects it names.
 */
public record Manifest(int format, String clusterId, long term, long index, long revision, Instant createdAt,
                       List<FileEntry> files) {
  public static final int FORMAT = 1;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  /** One file of the checkpoint, by its local name, and the object that holds its bytes. */
  public record FileEntry(String name, long size, String crc32c, String key) {
    public FileEntry {
      TierLayout.checkFileName(name);
      Objects.requireNonNull(crc32c, "crc32c");
      if (size < 0 || !crc32c.matches("[0-9a-f]{8}")) {
        throw new IllegalArgumentException("bad size or crc32c for " + name + ": " + size + ", " + crc32c);
      }
      ObjectStore.checkKey(key);
    }

    /** An entry stored under its content-addressed key. */
    public static FileEntry of(String name, long size, String crc32c) {
      return new FileEntry(name, size, crc32c, TierLayout.objectKey(name, size, crc32c));
    }

    /** Same name, size and checksum: the same bytes, wherever they are stored. */
    public boolean sameContent(FileEntry other) {
      return name.equals(other.name) && size == other.size && crc32c.equals(other.crc32c);
    }
  }

  public Manifest {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(createdAt, "createdAt");
    files = files.stream().sorted(Comparator.comparing(FileEntry::name)).toList();
    Set<String> names = new HashSet<>();
    for (FileEntry f : files) {
      if (!names.add(f.name())) {
        throw new IllegalArgumentException("file " + f.name() + " is listed twice");
      }
    }
  }

  public SnapshotPosition position() {
    return new SnapshotPosition(term, index);
  }

  public String key() {
    return TierLayout.manifestKey(position());
  }

  public long totalBytes() {
    return files.stream().mapToLong(FileEntry::size).sum();
  }

  /** Whether both name the same files with the same contents (where they are stored aside). */
  public boolean sameFiles(Manifest other) {
    if (files.size() != other.files.size()) {
      return false;
    }
    for (int i = 0; i < files.size(); i++) {
      if (!files.get(i).sameContent(other.files.get(i))) {
        return false;
      }
    }
    return true;
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a manifest as JSON", e);
    }
  }

  /** Parses and checks a manifest; anything malformed or of another format is a {@link TierException}. */
  public static Manifest fromJson(byte[] json, String where) throws TierException {
    Manifest m;
    try {
      m = JSON.readValue(json, Manifest.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new TierException("manifest " + where + " is not valid: " + e.getMessage(), e);
    }
    if (m.format() != FORMAT) {
      throw new TierException("manifest " + where + " has format " + m.format() + "; this node reads " + FORMAT);
    }
    return m;
  }
}
