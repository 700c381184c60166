package io.rocksraft.helm;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.rocksraft.server.state.FileOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The chart of this checkout ({@code helm/rocksraft}) run through real Helm (helm-java): lint,
 * template, and the manifests parsed back into Kubernetes objects (fabric8's model). Every render
 * is of release {@value #RELEASE} in namespace {@value #NAMESPACE}, so pods are
 * {@code rr-rocksraft-<i>}.
 */
final class Chart {
  static final String RELEASE = "rr";
  static final String NAMESPACE = "db";
  static final String FULLNAME = "rr-rocksraft";
  /**
   * helm-java's template returns the release's manifest without its hooks; a copy of the chart
   * whose hook annotations carry this name instead renders the hook jobs as plain resources.
   */
  static final String RENAMED_HOOK_ANNOTATION = "test.rocksraft.io/hook";

  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private Chart() {}

  /** The chart's directory: {@code helm/rocksraft} under the checkout the build names. */
  static Path directory() {
    return root().resolve("helm/rocksraft");
  }

  /** The checkout's root: the system property {@code rocksraft.root} (the module's surefire sets it), else {@code ..}. */
  static Path root() {
    return Path.of(System.getProperty("rocksraft.root", "..")).toAbsolutePath().normalize();
  }

  static LintResult lint(Path chart) {
    return new Helm(chart).lint().strict().call();
  }

  /** {@code helm template} of the chart with {@code values} set (keys as for {@code --set}). */
  static Manifests render(Map<String, ?> values) {
    return render(directory(), values);
  }

  static Manifests render(Path chart, Map<String, ?> values) {
    TemplateCommand template = new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE);
    values.forEach(template::set);
    return new Manifests(parse(template.call()));
  }

  /** As {@link #render(Map)}, hooks included (under {@link #RENAMED_HOOK_ANNOTATION}). */
  static Manifests renderWithHooks(Map<String, ?> values) {
    Path copy = copyOfChart();
    try {
      try (Stream<Path> templates = Files.list(copy.resolve("templates"))) {
        for (Path t : templates.toList()) {
          Files.writeString(t, Files.readString(t).replace("helm.sh/hook:", RENAMED_HOOK_ANNOTATION + ":"));
        }
      }
      return render(copy, values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(copy);
    }
  }

  /** The NOTES.txt Helm prints after an install (a client-only dry run: no cluster). */
  static String installNotes(Map<String, ?> values) {
    var install = new Helm(directory()).install().withName(RELEASE).withNamespace(NAMESPACE).clientOnly()
        .withDryRunOption(DryRun.CLIENT);
    values.forEach(install::set);
    return install.call().getOutput();
  }

  /** A copy of the chart in a temporary directory, for tests that change its files; {@link #delete} it. */
  static Path copyOfChart() {
    try {
      Path dir = Files.createTempDirectory("rocksraft-chart");
      Path copy = dir.resolve("rocksraft");
      try (Stream<Path> files = Files.walk(directory())) {
        for (Path source : files.toList()) {
          Path target = copy.resolve(directory().relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target);
          }
        }
      }
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path chartCopy) {
    try {
      FileOps.deleteTree(chartCopy.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<HasMetadata> parse(String manifest) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : DOCUMENT_SEPARATOR.split(manifest)) {
      boolean empty = Arrays.stream(doc.split("\n")).map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
      if (!empty) {
        out.add(KUBERNETES.unmarshal(doc, HasMetadata.class));
      }
    }
    return out;
  }
}
