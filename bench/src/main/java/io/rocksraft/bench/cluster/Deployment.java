package io.rocksraft.bench.cluster;

import java.util.List;

/** A cluster the bench started for one run; closing it stops every process and deletes its files. */
public interface Deployment extends AutoCloseable {
  /** The client endpoints, in the form the matching target takes. */
  List<String> endpoints();

  @Override
  void close();
}
