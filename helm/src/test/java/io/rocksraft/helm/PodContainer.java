package io.rocksraft.helm;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.rocksraft.server.state.FileOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.HttpWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A container of the node image run as the chart's StatefulSet runs a pod: the rendered node YAML
 * mounted read-only at /etc/rocksraft, ROCKSRAFT_NODE_ID and JAVA_OPTS from the pod spec, the
 * pod's user, memory limit and read-only root file system, an emptyDir-like /tmp and a volume-like
 * /data, and the pod's DNS name (of the headless Service) as its alias on a Docker network. Its
 * admin, REST and gRPC ports are published on loopback only. With {@code tls.existingSecret} in the
 * values, a directory of test certificates stands in for the Secret at the chart's mount point.
 */
final class PodContainer implements AutoCloseable {
  static final int ADMIN = 8101;
  static final int REST = 8001;
  static final int GRPC = 9001;
  static final String TLS_DIR = "/etc/rocksraft-tls";

  final String pod;
  final GenericContainer<?> container;
  private final Path configDir;
  /** Over TLS: trusting the test CA; else plain HTTP. */
  private final HttpClient http;
  private final String scheme;

  private PodContainer(String pod, GenericContainer<?> container, Path configDir, SSLContext tls) {
    this.pod = pod;
    this.container = container;
    this.configDir = configDir;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    this.http = tls == null ? b.build() : b.sslContext(tls).build();
    this.scheme = tls == null ? "http" : "https";
  }

  /** Fails the calling test, with what to do, when containers cannot run here. */
  static void requireDocker() {
    if (!Boolean.parseBoolean(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
      fail("set TESTCONTAINERS_RYUK_DISABLED=true (the module's surefire does): Ryuk's image cannot be pulled here");
    }
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      fail("no Docker engine answers: run ./verify (it installs and starts one, as CI does) or "
          + "jepsen/docker/ensure-docker.sh first");
    }
  }

  static String dnsName(int ordinal) {
    return Chart.FULLNAME + "-" + ordinal + "." + Chart.FULLNAME + "-headless." + Chart.NAMESPACE + ".svc.cluster.local";
  }

  /**
   * Starts pod {@code ordinal} of {@code chart} from {@code image} on {@code network}, and waits
   * for its startup probe's path (the process serves); {@link #awaitReady} waits for readiness.
   */
  static PodContainer start(Manifests chart, String image, int ordinal, Network network) {
    return start(chart, image, ordinal, network, null, null);
  }

  /** As above, with {@code certs} (tls.crt, tls.key, ca.crt) as the TLS Secret and {@code trust} to reach it. */
  static PodContainer start(Manifests chart, String image, int ordinal, Network network, Path certs, SSLContext trust) {
    String pod = Chart.FULLNAME + "-" + ordinal;
    Container spec = chart.nodeContainer();
    PodSecurityContext security = chart.statefulSet().getSpec().getTemplate().getSpec().getSecurityContext();
    Path configDir = writeConfig(chart.nodeYamlText());
    List<ExposedPort> published = List.of(ExposedPort.tcp(ADMIN), ExposedPort.tcp(REST), ExposedPort.tcp(GRPC));
    GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
        // Built here; there is no registry to ask.
        .withImagePullPolicy(name -> false)
        .withEnv("ROCKSRAFT_NODE_ID", pod)
        .withEnv("JAVA_OPTS", env(spec, "JAVA_OPTS"))
        .withNetwork(network)
        .withNetworkAliases(dnsName(ordinal))
        .withExposedPorts(ADMIN, REST, GRPC)
        .withCreateContainerCmdModifier(cmd -> {
          cmd.withName("rocksraft-helm-test-" + ProcessHandle.current().pid() + "-" + pod)
              .withUser(security.getRunAsUser() + ":" + security.getRunAsGroup())
              .withHostName(pod);
          cmd.getHostConfig()
              // A bind as docker-java takes it: Testcontainers' own file binding first checks that
              // mounting works with a helper container, which cannot be pulled here.
              .withBinds(certs == null
                  ? List.of(new Bind(configDir.toString(), new Volume("/etc/rocksraft"), AccessMode.ro))
                  : List.of(new Bind(configDir.toString(), new Volume("/etc/rocksraft"), AccessMode.ro),
                      new Bind(certs.toString(), new Volume(TLS_DIR), AccessMode.ro)))
              .withMemory(Quantity.getAmountInBytes(spec.getResources().getLimits().get("memory")).longValueExact())
              .withReadonlyRootfs(spec.getSecurityContext().getReadOnlyRootFilesystem())
              .withCapDrop(Capability.ALL)
              // The pod's emptyDir at /tmp (native libraries are unpacked there) and its volume at
              // /data, owned by the pod's fsGroup as Kubernetes makes it.
              .withTmpFs(Map.of("/tmp", "rw,exec,mode=1777",
                  "/data", "rw,uid=" + security.getRunAsUser() + ",gid=" + security.getFsGroup() + ",mode=0770"))
              .withPortBindings(published.stream().map(p -> new PortBinding(Ports.Binding.bindIp("127.0.0.1"), p)).toList());
        })
        .waitingFor(startupProbe(spec).forPort(ADMIN).forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
    PodContainer started = new PodContainer(pod, c, configDir, trust);
    try {
      c.start();
      return started;
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
  }

  private static Path writeConfig(String nodeYaml) {
    try {
      // Readable by the pod's user, as a ConfigMap volume is.
      Path dir = Files.createTempDirectory("rocksraft-pod-config",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      Path yaml = Files.writeString(dir.resolve("node.yml"), nodeYaml);
      Files.setPosixFilePermissions(yaml, PosixFilePermissions.fromString("rw-r--r--"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The startup probe as the kubelet runs it: HTTPS without checking the certificate when the chart says so. */
  private static HttpWaitStrategy startupProbe(Container spec) {
    HttpWaitStrategy probe = Wait.forHttp(spec.getStartupProbe().getHttpGet().getPath());
    return "HTTPS".equals(spec.getStartupProbe().getHttpGet().getScheme()) ? probe.usingTls().allowInsecure() : probe;
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElseThrow();
  }

  HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  URI uri(int port, String path) {
    return URI.create(scheme + "://127.0.0.1:" + container.getMappedPort(port) + path);
  }

  /** Whether the readiness probe (GET /healthcheck on the admin port) would pass now. */
  boolean ready() {
    try {
      return get(ADMIN, "/healthcheck").statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  ExecResult exec(String... command) throws IOException, InterruptedException {
    return container.execInContainer(command);
  }

  /**
   * Runs the script of a hook job of {@code chart} in this container (the jobs use the same image),
   * with the job container's environment.
   */
  ExecResult runHook(Manifests chart, String suffix) throws IOException, InterruptedException {
    Container job = chart.job(suffix).getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> command = new ArrayList<>(List.of("env"));
    job.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> command.add(e.getName() + "=" + e.getValue()));
    command.addAll(job.getCommand());
    command.addAll(job.getArgs());
    return exec(command.toArray(String[]::new));
  }

  @Override
  public void close() {
    try {
      container.stop();
    } finally {
      try {
        FileOps.deleteTree(configDir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
