package io.rocksraft.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WriteIdsTest {
  /**
   * Writers on many threads: no id may name a watermark above a write that has not ended, or the
   * server would refuse that write as already acknowledged. The race it guards against (a
   * sequence numbered but not yet outstanding) is narrow, so many threads try it many times.
   */
  @Test
  void noWatermarkPassesAWriteThatHasNotEnded() throws Exception {
    WriteIds ids = new WriteIds();
    Set<Long> ended = ConcurrentHashMap.newKeySet();
    AtomicReference<String> violation = new AtomicReference<>();
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 50_000 && violation.get() == null; i++) {
          long seq = ids.begin();
          long watermark = ids.id(seq).getFirstIncomplete();
          for (long below = Math.max(1, watermark - threads); below < watermark; below++) {
            if (!ended.contains(below)) {
              violation.compareAndSet(null, "write " + seq + " named watermark " + watermark
                  + " while write " + below + " had not ended");
            }
          }
          ended.add(seq);
          ids.end(seq);
        }
      });
      th.start();
      all.add(th);
    }
    start.countDown();
    for (Thread th : all) {
      th.join();
    }
    assertThat(violation.get()).isNull();
  }
}
