package io.rocksraft.jepsen.cluster;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The S3 bucket of a cluster in containers: {@link BucketServer} (S3Proxy) in a container of its
 * own on the cluster's network, reached by the nodes as {@code http://bucket:8080}. It runs in the
 * node image (for its JRE, with another entry point), on this JVM's class path staged into a
 * directory that the container mounts read-only: no image registry, no extra image to build.
 */
final class BucketContainer implements AutoCloseable {
  static final String ALIAS = "bucket";
  static final int PORT = 8080;
  static final String BUCKET = "rocksraft-tier";
  static final String ACCESS_KEY = "jepsen-access";
  static final String SECRET_KEY = "jepsen-secret";
  private static final String LIB = "/opt/bucket/lib";
  private static final String STAGING_PREFIX = "rocksraft-bucket-lib-";

  private final Path staged;
  private final GenericContainer<?> container;
  /** What the bucket printed: a start that failed says why in it. */
  private final ToStringConsumer output = new ToStringConsumer();

  BucketContainer(Network network, String name, Map<String, String> labels) {
    this.staged = createStagingDirectory();
    String classPath = stageClassPath(staged);
    this.container = new GenericContainer<>(DockerImageName.parse("rocksraft-node:unbuilt"))
        .withNetwork(network)
        .withNetworkAliases(ALIAS)
        .withLogConsumer(output)
        .withLabels(labels)
        .withCommand("-Xmx256m", "-XX:+UseSerialGC", "-cp", classPath, BucketServer.class.getName(),
            Integer.toString(PORT), BUCKET, ACCESS_KEY, SECRET_KEY)
        .waitingFor(Wait.forLogMessage("(?s).*serving on port.*", 1).withStartupTimeout(Duration.ofSeconds(90)))
        // The bind goes straight into the host config: Testcontainers' own file-system bind first
        // checks mounting with a helper container, whose image cannot be pulled here.
        .withCreateContainerCmdModifier(cmd -> {
          cmd.withName(name).withHostName(ALIAS).withEntrypoint("java");
          cmd.getHostConfig().withBinds(new Bind(staged.toString(), new Volume(LIB), AccessMode.ro));
        });
  }

  /** Starts the container from {@code image} (the node image) and waits until the bucket serves. */
  void start(String image) {
    container.setDockerImageName(image);
    // After the image is set: the policy belongs to the image. It is local; never ask a registry.
    container.withImagePullPolicy(name -> false);
    try {
      container.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException("the bucket's container did not start; it printed:\n" + output.toUtf8String(), e);
    }
  }

  /** The {@code tier:} block of a node's configuration that points at this bucket. */
  static Map<String, Object> tierSetting(String prefix) {
    Map<String, Object> s3 = new LinkedHashMap<>();
    s3.put("endpoint", "http://" + ALIAS + ":" + PORT);
    s3.put("region", "us-east-1");
    s3.put("bucket", BUCKET);
    s3.put("prefix", prefix);
    s3.put("pathStyle", true);
    s3.put("accessKey", ACCESS_KEY);
    s3.put("secretKey", SECRET_KEY);
    Map<String, Object> tier = new LinkedHashMap<>();
    tier.put("enabled", true);
    tier.put("backend", "s3");
    tier.put("s3", s3);
    return tier;
  }

  String logs() {
    return output.toUtf8String();
  }

  @Override
  public void close() {
    try {
      container.stop();
    } finally {
      deleteStaged();
    }
  }

  private static Path createStagingDirectory() {
    try {
      // The pid in the name: a later run removes what a JVM killed before closing left behind.
      return Files.createTempDirectory(STAGING_PREFIX + ProcessHandle.current().pid() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("creating the bucket's class path directory failed", e);
    }
  }

  /**
   * Links (or copies) every jar of this JVM's class path into {@code dir}, and copies class
   * directories (a build's target/classes) beside them; returns the class path in the container.
   */
  private static String stageClassPath(Path dir) {
    List<String> classPath = new ArrayList<>(List.of(LIB + "/*"));
    try {
      int n = 0;
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path p = Path.of(entry);
        if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
          link(p, dir.resolve(n++ + "-" + p.getFileName()));
        } else if (Files.isDirectory(p)) {
          String name = "classes-" + n++;
          copyTree(p, dir.resolve(name));
          classPath.add(LIB + "/" + name);
        }
      }
      return String.join(":", classPath);
    } catch (IOException e) {
      throw new UncheckedIOException("staging the bucket's class path in " + dir + " failed", e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void link(Path from, Path to) throws IOException {
    try {
      Files.createLink(to, from);
    } catch (FileSystemException | UnsupportedOperationException e) {
      Files.copy(from, to);
    }
  }

  /** Removes the staged class paths of JVMs that are gone (killed before they could close their bucket). */
  static void removeOrphanedStaging() {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (Stream<Path> dirs = Files.list(tmp)) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(STAGING_PREFIX)).toList()) {
        String pid = dir.getFileName().toString().substring(STAGING_PREFIX.length()).split("-")[0];
        if (!ContainerCluster.alive(pid)) {
          deleteTree(dir);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // Only tidiness: a directory that cannot be removed now is tried again next time.
    }
  }

  private void deleteStaged() {
    deleteTree(staged);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> all = new ArrayList<>(files.toList());
      Collections.reverse(all);
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + root + " failed", e);
    }
  }
}
