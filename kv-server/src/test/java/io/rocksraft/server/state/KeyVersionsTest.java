package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.rocksraft.server.state.KeyVersions.Version;
import org.junit.jupiter.api.Test;

class KeyVersionsTest {
  private static final int ONE = KeyVersions.ENTRY_OVERHEAD + 2;

  private static ByteString key(int i) {
    return ByteString.copyFromUtf8(String.format("%02d", i));
  }

  @Test
  void answersTheLastVersionPutForAKey() {
    KeyVersions kept = new KeyVersions(10 * ONE);
    kept.put(key(1), new Version(5, 5, 1));
    kept.put(key(1), new Version(5, 9, 2));
    assertThat(kept.get(key(1))).isEqualTo(new Version(5, 9, 2));
    assertThat(kept.get(key(2))).isNull();
  }

  @Test
  void keepsNoMoreKeysThanItsBoundHolds() {
    KeyVersions kept = new KeyVersions(3 * ONE);
    for (int i = 0; i < 10; i++) {
      kept.put(key(i), new Version(i + 1, i + 1, 1));
    }
    int held = 0;
    for (int i = 0; i < 10; i++) {
      held += kept.get(key(i)) != null ? 1 : 0;
    }
    assertThat(held).isEqualTo(3);
    assertThat(kept.get(key(9))).isEqualTo(new Version(10, 10, 1));
  }

  @Test
  void aKeyUsedSinceEvictionLastPassedItOutlivesAnOlderUnusedOne() {
    KeyVersions kept = new KeyVersions(3 * ONE);
    kept.put(key(1), new Version(1, 1, 1));
    kept.put(key(2), new Version(2, 2, 1));
    kept.put(key(3), new Version(3, 3, 1));
    kept.put(key(4), new Version(4, 4, 1));  // a pass: every key had been used, so the oldest goes and the rest lose their chance
    assertThat(kept.get(key(1))).isNull();
    kept.get(key(2));
    kept.put(key(5), new Version(5, 5, 1));
    assertThat(kept.get(key(2))).as("used since the pass").isNotNull();
    assertThat(kept.get(key(3))).as("not used since the pass").isNull();
  }

  @Test
  void aZeroBoundKeepsNothing() {
    KeyVersions kept = new KeyVersions(0);
    kept.put(key(1), new Version(1, 1, 1));
    assertThat(kept.get(key(1))).isNull();
  }
}
