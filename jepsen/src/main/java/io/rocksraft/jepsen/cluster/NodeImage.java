package io.rocksraft.jepsen.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker image the node containers run, built locally by {@code jepsen/docker/build-image.sh}
 * (no image registry is reachable): a Debian base from debootstrap, imported once, and the node
 * distribution of {@code kv-server/target} on top, tagged by a hash of what went in, so it is
 * rebuilt only when the distribution or the image's own files changed.
 */
public record NodeImage(String tag) {
  private static final Logger LOG = LoggerFactory.getLogger(NodeImage.class);
  /** Building the base takes about two minutes here (debootstrap); the node layer seconds. */
  private static final long BUILD_TIMEOUT_MINUTES = 15;

  /** Builds the image if needed, for the checkout at {@link #projectRoot()}. */
  public static NodeImage ensure() throws IOException {
    return ensure(projectRoot());
  }

  public static NodeImage ensure(Path root) throws IOException {
    Path script = root.resolve("jepsen/docker/build-image.sh");
    Path log = Files.createTempFile("rocksraft-build-image", ".log");
    try {
      Process p = new ProcessBuilder("bash", script.toString())
          .directory(root.toFile())
          .redirectError(log.toFile())
          .start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(script + " did not finish within " + BUILD_TIMEOUT_MINUTES + " minutes");
      }
      String messages = Files.readString(log).strip();
      if (p.exitValue() != 0 || out.isEmpty()) {
        throw new IOException(script + " failed (exit " + p.exitValue() + "):\n" + messages);
      }
      if (!messages.isEmpty()) {
        LOG.info("{}", messages);
      }
      List<String> lines = out.lines().toList();
      return new NodeImage(lines.get(lines.size() - 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while building the node image", e);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /**
   * The checkout's root: the system property {@code rocksraft.root} (set by the build), else the
   * nearest directory above the working directory that holds {@code jepsen/docker}.
   */
  public static Path projectRoot() {
    String configured = System.getProperty("rocksraft.root");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("jepsen/docker/build-image.sh"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the rocksraft checkout (jepsen/docker/build-image.sh) above "
        + Path.of("").toAbsolutePath() + "; set -Drocksraft.root=DIR");
  }
}
