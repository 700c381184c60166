package io.rocksraft.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Op;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
  private final LinearizabilityChecker checker = new LinearizabilityChecker(Duration.ofSeconds(30));

  private Verdict verdict(Histories h) {
    return checker.check(h.build()).verdict();
  }

  @Test
  void sequentialWritesAndReadsAreLinearizable() {
    assertThat(verdict(new Histories().read(0, "k", null, 0, 1).write(0, "k", 1, 2, 3).read(1, "k", 1, 4, 5)
        .write(1, "k", 2, 6, 7).read(0, "k", 2, 8, 9))).isEqualTo(Verdict.VALID);
  }

  @Test
  void aReadConcurrentWithAWriteMaySeeEitherValue() {
    assertThat(verdict(new Histories().write(0, "k", 1, 0, 10).read(1, "k", null, 2, 5))).isEqualTo(Verdict.VALID);
    assertThat(verdict(new Histories().write(0, "k", 1, 0, 10).read(1, "k", 1, 2, 5))).isEqualTo(Verdict.VALID);
  }

  @Test
  void aStaleReadAfterACompletedWriteIsNotLinearizable() {
    CheckResult r = checker.check(new Histories().write(0, "k", 1, 0, 1).write(0, "k", 2, 2, 3)
        .read(1, "k", 1, 4, 5).build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.summary()).contains("NOT linearizable", "k");
    assertThat(((Map<?, ?>) r.details().get("invalid")).get("k").toString()).contains("read 1", "process 1");
  }

  @Test
  void aReadOfAValueNeverWrittenIsNotLinearizable() {
    assertThat(verdict(new Histories().write(0, "k", 1, 0, 10).read(1, "k", 3, 2, 5))).isEqualTo(Verdict.INVALID);
  }

  @Test
  void compareAndSetTakesEffectOnlyFromTheExpectedValue() {
    assertThat(verdict(new Histories().write(0, "k", 0, 0, 1).cas(1, "k", 0, 2, Op.Type.ok, 2, 3)
        .read(0, "k", 2, 4, 5))).isEqualTo(Verdict.VALID);
    assertThat(verdict(new Histories().write(0, "k", 0, 0, 1).cas(1, "k", 1, 2, Op.Type.ok, 2, 3)))
        .isEqualTo(Verdict.INVALID);
    // Two compare-and-sets from the same value cannot both succeed.
    assertThat(verdict(new Histories().write(0, "k", 0, 0, 1).cas(1, "k", 0, 2, Op.Type.ok, 2, 6)
        .cas(2, "k", 0, 3, Op.Type.ok, 2, 6))).isEqualTo(Verdict.INVALID);
  }

  @Test
  void aWriteOfUnknownOutcomeMayHaveHappenedOrNotButNotBoth() {
    Histories happened = new Histories().write(0, "k", 1, 0, 1)
        .call(1, "write", "k", 5, Op.Type.info, null, 2, 3).read(2, "k", 5, 10, 11);
    assertThat(verdict(happened)).isEqualTo(Verdict.VALID);
    Histories notYet = new Histories().write(0, "k", 1, 0, 1)
        .call(1, "write", "k", 5, Op.Type.info, null, 2, 3).read(2, "k", 1, 10, 11);
    assertThat(verdict(notYet)).isEqualTo(Verdict.VALID);
    Histories undone = new Histories().write(0, "k", 1, 0, 1)
        .call(1, "write", "k", 5, Op.Type.info, null, 2, 3).read(2, "k", 5, 10, 11).read(2, "k", 1, 12, 13);
    assertThat(verdict(undone)).isEqualTo(Verdict.INVALID);
  }

  @Test
  void anInvocationWithoutCompletionCountsAsUnknownOutcome() {
    Histories h = new Histories().write(0, "k", 1, 0, 1).op(1, Op.Type.invoke, "write", "k", 7, 2)
        .read(2, "k", 7, 10, 11);
    assertThat(verdict(h)).isEqualTo(Verdict.VALID);
  }

  @Test
  void aFailedOperationNeverHappened() {
    assertThat(verdict(new Histories().write(0, "k", 1, 0, 1).call(1, "write", "k", 7, Op.Type.fail, null, 2, 3)
        .read(2, "k", 7, 10, 11))).isEqualTo(Verdict.INVALID);
  }

  @Test
  void keysAreCheckedApartAndTheBrokenOneIsNamed() {
    CheckResult r = checker.check(new Histories().write(0, "a", 1, 0, 1).read(1, "a", 1, 2, 3)
        .write(0, "b", 1, 4, 5).read(1, "b", 9, 6, 7).build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(((Map<?, ?>) r.details().get("invalid")).keySet().toString()).isEqualTo("[b]");
  }

  @Test
  void outOfTimeIsUnknownNotAGuess() {
    History h = generated(new Random(1), 400, false);
    assertThat(new LinearizabilityChecker(Duration.ZERO).check(h).verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void aLongConcurrentHistoryOfARealRegisterIsLinearizableAndOneWrongReadIsFound() {
    assertThat(checker.check(generated(new Random(7), 2000, false)).verdict()).isEqualTo(Verdict.VALID);
    assertThat(checker.check(generated(new Random(7), 2000, true)).verdict()).isEqualTo(Verdict.INVALID);
  }

  /**
   * Five processes on three keys against a real register: operation i takes effect at 100 i, and
   * its interval reaches up to 120 either side (so it overlaps its neighbours but not its own
   * process's previous one, 500 away). {@code corrupt}: one read answers a value never written.
   */
  private static History generated(Random rnd, int count, boolean corrupt) {
    Histories h = new Histories();
    int[] state = new int[3];
    for (int key = 0; key < 3; key++) {
      h.write(0, "k" + key, 0, -10_000 + 10L * key, -9_995 + 10L * key);
    }
    int corruptAt = count / 2;
    for (int i = 0; i < count; i++) {
      int process = i % 5;
      int key = rnd.nextInt(3);
      long at = 100L * i;
      long from = at - rnd.nextInt(120);
      long to = at + 1 + rnd.nextInt(120);
      String k = "k" + key;
      switch (corrupt && i == corruptAt ? 2 : rnd.nextInt(3)) {
        case 0 -> {
          int v = rnd.nextInt(5);
          state[key] = v;
          h.write(process, k, v, from, to);
        }
        case 1 -> {
          int expected = rnd.nextInt(5);
          int next = rnd.nextInt(5);
          boolean applies = state[key] == expected;
          if (applies) {
            state[key] = next;
          }
          h.cas(process, k, expected, next, applies ? Op.Type.ok : Op.Type.fail, from, to);
        }
        default -> h.read(process, k, i == corruptAt && corrupt ? 99 : state[key], from, to);
      }
    }
    return h.build();
  }
}
