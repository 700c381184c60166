package io.rocksraft.bench.cluster;

import java.util.List;

/** A cluster the bench started for one run; closing it stops every process and deletes its files. */
public interface Deployment extends AutoCloseable {
  /** The client endpoints, in the form the matching target takes. */
  List<String> endpoints();

  /** The processes it runs, for memory sampling. */
  List<NodeProcess> processes();

  @Override
  void close();
}
