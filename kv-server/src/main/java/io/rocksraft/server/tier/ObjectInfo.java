package io.rocksraft.server.tier;

import java.time.Instant;

/** One object: its key (relative to the store's root or prefix), size and last write time. */
public record ObjectInfo(String key, long size, Instant lastModified) {
}
