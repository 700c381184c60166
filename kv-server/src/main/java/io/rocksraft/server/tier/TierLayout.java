package io.rocksraft.server.tier;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the tier names its objects (relative to the store's root or prefix):
 * <ul>
 *   <li>{@code sst/<name>-<size>-<crc32c>}: an SST file, content-addressed, written once;</li>
 *   <li>{@code files/<name>-<size>-<crc32c>}: any other file of a checkpoint (MANIFEST-*, CURRENT,
 *       OPTIONS-*, WAL, the snapshot's own metadata), content-addressed the same way;</li>
 *   <li>{@code manifests/<term, 20 digits>_<index, 20 digits>.json}: one manifest per snapshot,
 *       so that key order is (term, index) order;</li>
 *   <li>{@code repair/<object key>}: an empty marker a restore leaves when it finds that object
 *       corrupt, until an upload that has the file sends it again.</li>
 * </ul>
 */
public final class TierLayout {
  public static final String SST_PREFIX = "sst/";
  public static final String FILES_PREFIX = "files/";
  public static final String MANIFEST_PREFIX = "manifests/";
  public static final String REPAIR_PREFIX = "repair/";
  /** The prefixes of the data objects that manifests reference (and that GC sweeps). */
  public static final List<String> DATA_PREFIXES = List.of(SST_PREFIX, FILES_PREFIX);

  private static final Pattern MANIFEST_KEY = Pattern.compile("manifests/(\\d{20})_(\\d{20})\\.json");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

  private TierLayout() {
  }

  /** The object key of a checkpoint file with this name, size and checksum. */
  public static String objectKey(String name, long size, String crc32c) {
    checkFileName(name);
    return (isSst(name) ? SST_PREFIX : FILES_PREFIX) + name + "-" + size + "-" + crc32c;
  }

  /** The marker that asks for {@code objectKey} to be uploaded again. */
  public static String repairKey(String objectKey) {
    return REPAIR_PREFIX + objectKey;
  }

  /** The object a repair marker asks for. */
  public static String repairedObject(String repairKey) {
    return repairKey.substring(REPAIR_PREFIX.length());
  }

  public static boolean isSst(String name) {
    return name.endsWith(".sst");
  }

  public static String manifestKey(SnapshotPosition position) {
    return String.format("%s%020d_%020d.json", MANIFEST_PREFIX, position.term(), position.index());
  }

  /** The position a manifest key names, or empty for any other key. */
  public static Optional<SnapshotPosition> parseManifestKey(String key) {
    Matcher m = MANIFEST_KEY.matcher(key);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SnapshotPosition(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * A checkpoint file's name must be a plain name: a manifest read from a bucket decides which
   * local files a restore writes, so none may climb out of the target directory.
   */
  public static String checkFileName(String name) {
    if (name == null || !FILE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain file name: '" + name + "'");
    }
    return name;
  }
}
