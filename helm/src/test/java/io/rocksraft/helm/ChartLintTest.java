package io.rocksraft.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code helm lint --strict} and the values schema: good values pass, bad ones are refused with a reason. */
class ChartLintTest {
  @Test
  void chartPassesStrictLint() {
    LintResult result = Chart.lint(Chart.directory());
    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void lintFailsOnAValuesFileTheSchemaRefuses() throws Exception {
    Path copy = Chart.copyOfChart();
    try {
      Path values = copy.resolve("values.yaml");
      Files.writeString(values, Files.readString(values).replace("\nreplicas: 3\n", "\nreplicas: 4\n"));
      LintResult result = Chart.lint(copy);
      assertThat(result.isFailed()).isTrue();
      assertThat(String.join("\n", result.getMessages())).contains("replicas");
    } finally {
      Chart.delete(copy);
    }
  }

  @Test
  void lintFailsOnAValuesFileThatIsNotYaml() throws Exception {
    Path copy = Chart.copyOfChart();
    try {
      Files.writeString(copy.resolve("values.yaml"), "replicas: [3\n");
      assertThat(Chart.lint(copy).isFailed()).isTrue();
    } finally {
      Chart.delete(copy);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2, 4, 11, -1})
  void evenOrOutOfRangeReplicaCountsAreRefused(int replicas) {
    assertThatThrownBy(() -> Chart.render(Map.of("replicas", replicas)))
        .hasMessageContaining("replicas");
  }

  @Test
  void tierWithoutABucketIsRefused() {
    assertThatThrownBy(() -> Chart.render(Map.of("tier.enabled", true)))
        .hasMessageContaining("bucket");
  }

  @Test
  void misspelledTopLevelValueIsRefused() {
    assertThatThrownBy(() -> Chart.render(Map.of("replica", 5))).hasMessageContaining("replica");
  }

  @Test
  void unknownPullPolicyIsRefused() {
    assertThatThrownBy(() -> Chart.render(Map.of("image.pullPolicy", "Sometimes")))
        .hasMessageContaining("pullPolicy");
  }

  @Test
  void nodeKeysTheChartOwnsCannotBeSetThroughNode() {
    assertThatThrownBy(() -> Chart.render(Map.of("node.dataDir", "/elsewhere")))
        .hasMessageContaining("node.dataDir is set by the chart");
  }
}
