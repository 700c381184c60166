package io.rocksraft.bench.cluster;

import java.net.URI;
import java.util.Optional;

/** One process of a started cluster: its name, pid and, for rocksraft, its admin metrics (Dropwizard JSON). */
public record NodeProcess(String name, long pid, Optional<URI> metrics) {}
