package io.rocksraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.TxnOp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KvCtlTest {
  @Test
  void comparesParseTargetResultAndOperand() {
    Compare c = KvCtl.Txn.compare("counter mod = 42");
    assertThat(c.getKey().toStringUtf8()).isEqualTo("counter");
    assertThat(c.getTarget()).isEqualTo(Compare.Target.MOD_REVISION);
    assertThat(c.getResult()).isEqualTo(Compare.Result.EQUAL);
    assertThat(c.getNumber()).isEqualTo(42);

    Compare v = KvCtl.Txn.compare("greeting value != hello world");
    assertThat(v.getTarget()).isEqualTo(Compare.Target.VALUE);
    assertThat(v.getResult()).isEqualTo(Compare.Result.NOT_EQUAL);
    assertThat(v.getValue().toStringUtf8()).isEqualTo("hello world");
  }

  @Test
  void badComparesAndOperationsSayWhatIsExpected() {
    assertThatThrownBy(() -> KvCtl.Txn.compare("k size = 3")).hasMessageContaining("value|version|mod|create");
    assertThatThrownBy(() -> KvCtl.Txn.compare("k version = x")).hasMessageContaining("needs a number");
    assertThatThrownBy(() -> KvCtl.Txn.op("put k")).hasMessageContaining("put KEY VALUE");
    assertThatThrownBy(() -> KvCtl.Txn.op("move k")).hasMessageContaining("not put, del or get");
  }

  @Test
  void operationsKeepSpacesInValues() {
    TxnOp op = KvCtl.Txn.op("put k two words");
    assertThat(op.getPut().getValue().toStringUtf8()).isEqualTo("two words");
  }

  @Test
  void durationsTakeUnits() {
    assertThat(KvCtl.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(KvCtl.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> KvCtl.parseDuration("10")).hasMessageContaining("500ms");
  }

  @Test
  void unreachableClusterIsAClearErrorNotAStackTrace() {
    int rc = KvCtl.run("get", "k", "--endpoints", "127.0.0.1:1", "--timeout", "300ms");
    assertThat(rc).isEqualTo(2);
  }
}
