package io.rocksraft.raftlog;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The background threads of this module: named daemons, stopped with a bounded wait. */
final class Threads {
  private static final Logger LOG = LoggerFactory.getLogger(Threads.class);

  private Threads() {}

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops {@code executor}, waiting up to 10 s for its running task; {@code now} drops the queued ones. */
  static void stop(ExecutorService executor, boolean now) {
    if (now) {
      executor.shutdownNow();
    } else {
      executor.shutdown();
    }
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("{} did not stop in time", executor);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
