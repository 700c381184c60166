package io.rocksraft.bench;

import java.io.PrintStream;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./kv bench}: the load generator. Results go to stdout, progress (one line a second) to
 * stderr. A bad option exits with 2, a failed run with 1.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks rocksraft, and etcd beside it, with YCSB-style workloads.",
    subcommands = {RunCommand.class, CompareCommand.class, JmhCommand.class})
public final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;
  private final PrintStream out;
  private final PrintStream err;

  BenchCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    // kv-server's jar (on this class path for LocalCluster) has a logback.xml that logs to stdout;
    // the bench keeps stdout for results and logs to stderr.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "bench-logback.xml");
    }
    System.exit(execute(args, System.out, System.err));
  }

  /** Runs the command line; returns the exit code. */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new BenchCommand(out, err));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setParameterExceptionHandler((e, arguments) -> {
      err.println("error: " + e.getMessage());
      err.println("see: ./kv " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help");
      return CommandLine.ExitCode.USAGE;
    });
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      err.println("error: " + e.getMessage());
      org.slf4j.LoggerFactory.getLogger(BenchCommand.class).debug("run failed", e);
      return CommandLine.ExitCode.SOFTWARE;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: run, compare or jmh");
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  /** Option values that only make sense together are checked here: a bad one is a usage error (exit 2). */
  <T> T validated(CommandSpec command, Supplier<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
    }
  }
}
