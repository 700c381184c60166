package io.rocksraft.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyChoiceTest {
  @Test
  void keysHaveTheGivenSizeAndSortLikeTheirIds() {
    KeySpace space = new KeySpace(100_000, 16);

    assertThat(new String(space.key(42), StandardCharsets.US_ASCII)).isEqualTo("k000000000000042");
    assertThat(Arrays.compareUnsigned(space.key(9), space.key(10))).isNegative();
    assertThat(space.key(99_999)).hasSize(16);
  }

  @Test
  void zipfianStaysInTheKeySpaceAndHasHotKeys() {
    KeyChooser zipf = Distribution.ZIPFIAN.chooser(1000, 7);
    Map<Long, Integer> counts = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      long id = zipf.next();
      assertThat(id).isBetween(0L, 999L);
      counts.merge(id, 1, Integer::sum);
    }
    // Uniform would give each key about 100; the hottest zipfian key gets far more.
    assertThat(counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow()).isGreaterThan(1000);
  }

  @Test
  void uniformStaysInTheKeySpace() {
    KeyChooser uniform = Distribution.UNIFORM.chooser(10, 7);
    for (int i = 0; i < 1000; i++) {
      assertThat(uniform.next()).isBetween(0L, 9L);
    }
  }

  @Test
  void mixesFollowTheirPercentages() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    int reads = 0;
    for (int i = 0; i < 10_000; i++) {
      reads += Workload.B.next(random) == OpKind.READ ? 1 : 0;
    }
    assertThat(reads).isBetween(9300, 9700);
    assertThat(Workload.WRITE.next(random)).isEqualTo(OpKind.UPDATE);
    assertThat(Workload.SCAN.next(random)).isEqualTo(OpKind.SCAN);
  }
}
