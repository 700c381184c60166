package io.rocksraft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad option is refused before anything starts: a message naming it, and exit code 2. */
class BadOptionsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "compare --workload x                                  | --workload",
      "compare --clients 0                                   | --clients must be at least 1",
      "compare --duration 0                                  | --duration must be at least 1 second",
      "compare --value-size -1                               | --value-size must be at least 1",
      "compare --rate 0                                      | --rate must be positive",
      "compare --distribution pareto                         | --distribution",
      "compare --keys 1000000 --key-size 5                   | --key-size 5 is too small",
      "compare --etcd-endpoints 10.1.2.3:2379                | not a loopback address",
      "compare --rocksraft-endpoints 127.0.0.1               | is not host:port",
      "compare --no-such-option                              | Unknown option",
      "compare --rocksraft-settings=nope:1                   | --rocksraft-settings is not a valid node configuration",
      "run --target etcd --rocksraft-settings=[1]            | --rocksraft-settings is not a valid node configuration",
      "compare --rocksraft-jvm=Xmx1g                         | --rocksraft-jvm takes JVM options",
      "run --target rocksraft --rocksraft-jvm=               | --rocksraft-jvm takes JVM options",
      "run --workload a                                      | --target",
      "run --target mysql                                    | --target",
      "run --target etcd --endpoints https://127.0.0.1:2379  | TLS is not supported",
      "''                                                    | name a command"})
  void isRefusedWithExitCodeTwo(String args, String message) {
    Cli cli = Cli.run(args.isBlank() ? new String[0] : args.trim().split(" +"));

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).startsWith("error: ").contains(message);
  }
}
