package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rocksraft.raftlog.RocksMemory;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/** Readers and a database being replaced under them. */
class CurrentStoreTest {
  @TempDir Path dir;
  private final RocksMemory memory = new RocksMemory(8 << 20, 8 << 20);

  @AfterEach
  void close() {
    memory.close();
  }

  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

  private StateStore open(int generation) throws java.io.IOException, RocksDBException {
    StateStore s = new StateStore(dir.resolve("db-" + generation), memory);
    s.db().put(s.kv(), KEY, new byte[] {(byte) generation});
    return s;
  }

  @Test
  void readsDuringReplacementsWaitAndSeeOneWholeDatabase() throws Exception {
    CurrentStore store = new CurrentStore(open(0));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong reads = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          try {
            byte[] v = store.read(s -> {
              try {
                return s.db().get(s.kv(), KEY);
              } catch (RocksDBException e) {
                throw new IllegalStateException(e);
              }
            });
            assertThat(v).hasSize(1);
            reads.incrementAndGet();
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }
      });
      t.start();
      readers.add(t);
    }
    for (int generation = 1; generation <= 20; generation++) {
      int g = generation;
      store.replace(() -> {
        try {
          return open(g);
        } catch (RocksDBException e) {
          throw new java.io.IOException(e);
        }
      });
    }
    stop.set(true);
    for (Thread t : readers) {
      t.join();
    }

    assertThat(failure.get()).isNull();
    assertThat(reads.get()).isPositive();
    String current = store.read(s -> s.dir().getFileName().toString());
    assertThat(current).isEqualTo("db-20");
    store.close();
  }

  @Test
  void aReadAfterCloseFailsWithUnavailable() throws Exception {
    CurrentStore store = new CurrentStore(open(0));
    store.close();

    assertThatThrownBy(() -> store.read(StateStore::dir))
        .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
  }
}
