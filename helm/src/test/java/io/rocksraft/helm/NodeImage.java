package io.rocksraft.helm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The production node image, built by {@code docker/build-image.sh} from kv-server's distribution
 * (the build packages kv-server before this module's tests). The Debian base is made once per
 * machine and shared with the jepsen module's image, so only the first of the two builds pays
 * for debootstrap.
 */
final class NodeImage {
  /** The first debootstrap of the base takes a few minutes; later builds take seconds. */
  private static final long TIMEOUT_MINUTES = 15;

  private NodeImage() {}

  /** Builds (or finds up to date) image {@code tag}, and returns it. */
  static String build(Path root, String tag) throws IOException, InterruptedException {
    Path script = root.resolve("docker/build-image.sh");
    Process p = new ProcessBuilder("bash", script.toString(), tag).directory(root.toFile())
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(script + " did not finish within " + TIMEOUT_MINUTES + " minutes:\n" + output);
    }
    List<String> lines = output.lines().toList();
    if (p.exitValue() != 0 || lines.isEmpty() || !lines.get(lines.size() - 1).equals(tag)) {
      throw new IOException(script + " failed (exit " + p.exitValue() + "):\n" + output);
    }
    return tag;
  }
}
