package io.rocksraft.server.security;

import com.google.protobuf.ByteString;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.state.KeyRange;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who made a request, and what its roles let it do. A range is granted when one prefix of a
 * role covers all of it; {@code ""} covers every key.
 */
public final class Caller {
  /** When authentication is off: every request is allowed. */
  public static final Caller UNRESTRICTED = new Caller(null, List.of(new byte[0]), List.of(new byte[0]), true);

  private final String user;
  private final List<byte[]> readPrefixes;
  private final List<byte[]> writePrefixes;
  private final boolean admin;
  /** A grant of {@code ""} covers every key: a single key's check needs no copy of the key then. */
  private final boolean readsAll;
  private final boolean writesAll;

  private Caller(String user, List<byte[]> readPrefixes, List<byte[]> writePrefixes, boolean admin) {
    this.user = user;
    this.readPrefixes = readPrefixes;
    this.writePrefixes = writePrefixes;
    this.admin = admin;
    this.readsAll = readPrefixes.stream().anyMatch(p -> p.length == 0);
    this.writesAll = writePrefixes.stream().anyMatch(p -> p.length == 0);
  }

  /** A user with the union of its roles' grants. */
  static Caller of(NodeConfig.User user, Map<String, NodeConfig.Role> roles) {
    List<NodeConfig.Role> mine = user.roles().stream().map(roles::get).filter(Objects::nonNull).toList();
    return new Caller(user.name(),
        mine.stream().flatMap(r -> r.read().stream()).map(p -> p.getBytes(StandardCharsets.UTF_8)).toList(),
        mine.stream().flatMap(r -> r.write().stream()).map(p -> p.getBytes(StandardCharsets.UTF_8)).toList(),
        mine.stream().anyMatch(NodeConfig.Role::admin));
  }

  /** The user's name; null when authentication is off. */
  public String user() {
    return user;
  }

  public void requireRead(ByteString key) {
    if (!readsAll) {
      requireRead(single(key), key);
    }
  }

  public void requireRead(KeyRange range) {
    requireRead(range, null);
  }

  public void requireWrite(ByteString key) {
    if (!writesAll) {
      requireWrite(single(key), key);
    }
  }

  public void requireWrite(KeyRange range) {
    requireWrite(range, null);
  }

  /** Membership, leadership, snapshots, consistency checks and the admin port. */
  public void requireAdmin(String what) {
    if (!admin) {
      throw denied(what + " needs a role with admin: true");
    }
  }

  private void requireRead(KeyRange range, ByteString key) {
    if (!covered(readPrefixes, range)) {
      throw denied("no role grants reading " + describe(range, key));
    }
  }

  private void requireWrite(KeyRange range, ByteString key) {
    if (!covered(writePrefixes, range)) {
      throw denied("no role grants writing " + describe(range, key));
    }
  }

  private KvException denied(String why) {
    return new KvException(ErrorKind.PERMISSION_DENIED, "user '" + user + "': " + why);
  }

  private static KeyRange single(ByteString key) {
    byte[] k = key.toByteArray();
    return new KeyRange(k, Arrays.copyOf(k, k.length + 1));
  }

  private static String describe(KeyRange range, ByteString key) {
    if (key != null) {
      return "key '" + key.toStringUtf8() + "'";
    }
    return "keys from '" + new String(range.from(), StandardCharsets.UTF_8) + "' to "
        + (range.to() == null ? "the end" : "'" + new String(range.to(), StandardCharsets.UTF_8) + "'");
  }

  /** Whether every key of {@code range} starts with one and the same of {@code prefixes}. */
  static boolean covered(List<byte[]> prefixes, KeyRange range) {
    for (byte[] p : prefixes) {
      byte[] end = KeyRange.prefixEnd(p);
      boolean fromInside = Arrays.compareUnsigned(range.from(), p) >= 0;
      boolean toInside = end == null || (range.to() != null && Arrays.compareUnsigned(range.to(), end) <= 0);
      if (fromInside && toInside) {
        return true;
      }
    }
    return false;
  }
}
