package io.rocksraft.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * In a JVM that sees two cores (as this project's machines and many containers do), where an
 * async step without an executor runs: on a new thread each time unless the node fixed the pool.
 */
class CommonPoolTest {

  @Test
  void withTwoCoresAnAsyncStepStartsAThreadOfItsOwnWhenThePoolIsLeftAlone() throws Exception {
    assertThat(probe(List.of(), false)).isEqualTo("parallelism 1, async steps on new threads");
  }

  @Test
  void withTwoCoresAnAsyncStepRunsOnThePoolOnceTheNodeSetItUp() throws Exception {
    assertThat(probe(List.of(), true)).isEqualTo("parallelism 2, async steps on the pool");
  }

  @Test
  void aParallelismTheOperatorChoseIsKept() throws Exception {
    assertThat(probe(List.of("-D" + CommonPool.PARALLELISM + "=3"), true))
        .isEqualTo("parallelism 3, async steps on the pool");
  }

  /** Runs {@link Probe} in a JVM limited to two processors and answers what it printed. */
  private static String probe(List<String> jvmOptions, boolean ensure) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:ActiveProcessorCount=2", "-Xmx64m"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), Boolean.toString(ensure)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      // Its one line fits the pipe, so waiting first cannot block it; a hung probe is killed below.
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    } finally {
      p.destroyForcibly();
    }
  }

  /** Prints the common pool's parallelism and where two async steps ran. */
  public static final class Probe {
    public static void main(String[] args) {
      if (Boolean.parseBoolean(args[0])) {
        CommonPool.ensureParallelism();
      }
      Thread first = CompletableFuture.completedFuture(null).thenApplyAsync(v -> Thread.currentThread()).join();
      Thread second = CompletableFuture.completedFuture(null).thenApplyAsync(v -> Thread.currentThread()).join();
      boolean onPool = first instanceof ForkJoinWorkerThread && second instanceof ForkJoinWorkerThread;
      boolean newThreads = !(first instanceof ForkJoinWorkerThread) && first != second;
      System.out.println("parallelism " + ForkJoinPool.getCommonPoolParallelism() + ", async steps "
          + (onPool ? "on the pool" : newThreads ? "on new threads" : "elsewhere"));
    }
  }
}
