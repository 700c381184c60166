package io.rocksraft.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./kv bench jmh [JMH options] [benchmark regex]}: the microbenchmarks of the hot paths
 * (log-entry codec, raft-log append and flush, state-machine apply), run by JMH itself, which
 * takes all of its own options (for example {@code -f 1 -wi 2 -i 3 LogAppend}).
 */
@Command(name = "jmh", description = "Runs the JMH microbenchmarks (CodecBenchmark, LogAppendBenchmark, "
    + "ApplyBenchmark); every argument goes to JMH (try -h).")
final class JmhCommand implements Callable<Integer> {
  /** JMH's own options and benchmark patterns: picocli leaves them all to JMH. */
  @Unmatched
  List<String> jmhArguments = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    // JMH forks its benchmark JVMs with this JVM's class path, and exits itself when done.
    org.openjdk.jmh.Main.main(jmhArguments.toArray(String[]::new));
    return 0;
  }
}
