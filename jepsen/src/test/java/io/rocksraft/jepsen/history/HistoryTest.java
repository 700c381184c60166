package io.rocksraft.jepsen.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aHistoryIsOneJsonObjectPerLineInTheIssuesShape(@TempDir Path dir) throws Exception {
    History h = new History(List.of(
        new Op(3, Op.Type.invoke, "cas", "k7", JSON.valueToTree(List.of(1, 2)), 10),
        new Op(3, Op.Type.ok, "cas", "k7", JSON.valueToTree(List.of(1, 2)), 20),
        new Op(4, Op.Type.invoke, "read", "k7", null, 30),
        new Op(4, Op.Type.ok, "read", "k7", null, 40)));
    Path file = dir.resolve("register.jsonl");
    h.write(file);
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo(
        "{\"process\":3,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k7\",\"value\":[1,2],\"time\":10}");
    assertThat(lines.get(3)).contains("\"value\":null");
    assertThat(History.read(file).pairs()).hasSize(2).allMatch(History.Pair::ok);
  }

  @Test
  void anInvocationLeftOpenIsOfUnknownOutcome() {
    History h = new History(List.of(new Op(1, Op.Type.invoke, "write", "k", JSON.valueToTree(5), 1)));
    assertThat(h.pairs()).singleElement().matches(History.Pair::indeterminate);
  }

  @Test
  void aProcessThatInvokesTwiceWithoutCompletingBreaksTheHistory() {
    History h = new History(List.of(new Op(1, Op.Type.invoke, "write", "k", null, 1),
        new Op(1, Op.Type.invoke, "read", "k", null, 2)));
    assertThatThrownBy(h::pairs).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("process 1");
  }
}
