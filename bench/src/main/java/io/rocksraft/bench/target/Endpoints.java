package io.rocksraft.bench.target;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code host:port,...} lists. Only loopback addresses are accepted: the bench drives
 * clusters on this machine and must never send load anywhere else.
 */
public final class Endpoints {
  private Endpoints() {}

  /** rocksraft gRPC addresses, {@code host:port}. */
  public static List<String> rocksraft(String list) {
    List<String> out = new ArrayList<>();
    for (String one : split(list)) {
      out.add(hostPort(one.startsWith("http://") ? one.substring("http://".length()) : one));
    }
    return out;
  }

  /** etcd client URLs; {@code host:port} gets {@code http://} in front. */
  public static List<String> etcd(String list) {
    List<String> out = new ArrayList<>();
    for (String one : split(list)) {
      if (one.startsWith("https://")) {
        throw new IllegalArgumentException("etcd endpoint " + one + ": TLS is not supported by the bench");
      }
      out.add("http://" + hostPort(one.startsWith("http://") ? one.substring("http://".length()) : one));
    }
    return out;
  }

  private static List<String> split(String list) {
    List<String> parts = new ArrayList<>();
    for (String one : list.split(",")) {
      if (!one.isBlank()) {
        parts.add(one.trim());
      }
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("no endpoint given");
    }
    return parts;
  }

  private static String hostPort(String address) {
    URI uri;
    try {
      uri = new URI("tcp://" + address);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("endpoint " + address + " is not host:port");
    }
    if (uri.getHost() == null || uri.getPort() < 1 || uri.getPath() != null && !uri.getPath().isEmpty()) {
      throw new IllegalArgumentException("endpoint " + address + " is not host:port");
    }
    try {
      if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
        throw new IllegalArgumentException("endpoint " + address + " is not a loopback address: the bench only "
            + "drives clusters on this machine (127.0.0.0/8, localhost, [::1])");
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("endpoint " + address + ": unknown host");
    }
    return uri.getHost() + ":" + uri.getPort();
  }
}
