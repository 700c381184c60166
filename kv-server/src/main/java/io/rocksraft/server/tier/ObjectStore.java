package io.rocksraft.server.tier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A flat namespace of immutable-by-convention objects under string keys ({@code a/b/c}, no leading
 * slash, no {@code .} or {@code ..} segments): a local directory or an S3 bucket and prefix.
 * Every write replaces an object whole; readers never see half an object. Failures are
 * {@link ObjectStoreException}s, after the store's own retries.
 */
public interface ObjectStore extends AutoCloseable {

  /** Writes {@code file} as {@code key}, replacing whatever was there. */
  void put(String key, Path file) throws IOException;

  /** Writes {@code bytes} as {@code key}, replacing whatever was there. */
  void put(String key, byte[] bytes) throws IOException;

  /**
   * Creates {@code key} only if no object has it: true when this call created it, false when it
   * already existed (and was left alone). Whether two concurrent creators can both see true
   * depends on the backend; see {@link #atomicCreate()}.
   */
  boolean putIfAbsent(String key, byte[] bytes) throws IOException;

  /**
   * Whether {@link #putIfAbsent} is atomic against a concurrent creator of the same key (the
   * store decides it, e.g. by asking the server once).
   */
  boolean atomicCreate() throws IOException;

  /** Writes the object into {@code target}, replacing it; {@link NoSuchObjectException} if absent. */
  void get(String key, Path target) throws IOException;

  /** The object's bytes (meant for small objects such as manifests). */
  byte[] getBytes(String key) throws IOException;

  /** The object's size and time, or empty when there is none. */
  Optional<ObjectInfo> head(String key) throws IOException;

  /** Every object whose key starts with {@code prefix}, in key order (pages are fetched as needed). */
  List<ObjectInfo> list(String prefix) throws IOException;

  /** Deletes the object; deleting an absent object is not an error. */
  void delete(String key) throws IOException;

  /** Deletes each of the objects. */
  default void deleteAll(Collection<String> keys) throws IOException {
    for (String key : keys) {
      delete(key);
    }
  }

  /** Where the objects are, for messages: a directory, or {@code s3://bucket/prefix}. */
  String describe();

  @Override
  void close();

  /** Refuses keys that could escape a directory or mean different things to different backends. */
  static String checkKey(String key) {
    if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")
        || key.contains("//")) {
      throw new IllegalArgumentException("bad object key '" + key + "'");
    }
    for (String segment : key.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("bad object key '" + key + "'");
      }
    }
    return key;
  }
}
