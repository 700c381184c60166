package io.rocksraft.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.rocksraft.jepsen.history.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SetAndBankCheckerTest {
  private static Histories adds(Op.Type... outcomes) {
    Histories h = new Histories();
    for (int i = 0; i < outcomes.length; i++) {
      h.call(i % 3, "add", "set", i, outcomes[i], i, 10L * i, 10L * i + 5);
    }
    return h;
  }

  @Test
  void everyAcknowledgedAddInTheFinalReadIsValid() {
    Histories h = adds(Op.Type.ok, Op.Type.ok, Op.Type.info, Op.Type.fail)
        .call(0, "read", "set", null, Op.Type.ok, List.of(0, 1, 2), 100, 101);
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.details()).containsEntry("recovered", 1);
  }

  @Test
  void aLostAddAndAnElementNeverAddedAreInvalid() {
    CheckResult lost = new SetChecker().check(adds(Op.Type.ok, Op.Type.ok)
        .call(0, "read", "set", null, Op.Type.ok, List.of(0), 100, 101).build());
    assertThat(lost.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(lost.details().get("lost").toString()).isEqualTo("[1]");
    CheckResult unexpected = new SetChecker().check(adds(Op.Type.ok)
        .call(0, "read", "set", null, Op.Type.ok, List.of(0, 42), 100, 101).build());
    assertThat(unexpected.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(unexpected.details().get("unexpected").toString()).isEqualTo("[42]");
  }

  @Test
  void withoutAFinalReadTheSetIsUnknown() {
    assertThat(new SetChecker().check(adds(Op.Type.ok).build()).verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void readsThatKeepTheTotalAreValidAndOneThatDoesNotIsFound() {
    BankChecker bank = new BankChecker(3, 300);
    Histories h = new Histories()
        .call(0, "transfer", "bank", Map.of("from", 0, "to", 1, "amount", 10), Op.Type.ok, null, 0, 5)
        .call(1, "read", "bank", null, Op.Type.ok, List.of(90, 110, 100), 6, 7);
    assertThat(bank.check(h.build()).verdict()).isEqualTo(Verdict.VALID);
    h.call(2, "read", "bank", null, Op.Type.ok, List.of(90, 100, 100), 8, 9);
    CheckResult broken = bank.check(h.build());
    assertThat(broken.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(broken.details()).containsEntry("wrongCount", 1);
    h.call(2, "read", "bank", null, Op.Type.ok, List.of(-10, 210, 100), 10, 11);
    assertThat(bank.check(h.build()).details()).containsEntry("wrongCount", 2);
  }
}
