package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test certificates, made by the script the docs give operators ({@code config/tls/make-test-ca.sh}). */
final class TestCerts {
  /** Tests run in the module's directory. */
  static final Path SCRIPT = Path.of("..", "config", "tls", "make-test-ca.sh").toAbsolutePath().normalize();

  private TestCerts() {
  }

  /** A CA in {@code dir} (kept when there is one), a fresh node certificate, and a client certificate per name. */
  static void make(Path dir, String... clients) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), dir.toString()));
    cmd.addAll(List.of(clients));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(Files.exists(dir.resolve("node.crt"))).isTrue();
  }
}
