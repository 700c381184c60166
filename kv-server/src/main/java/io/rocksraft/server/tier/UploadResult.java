package io.rocksraft.server.tier;

import java.time.Duration;

/**
 * What one upload did. {@code manifestWritten} is false when the bucket already held this very
 * snapshot (same position, same files); then {@code manifest} is the one in the bucket.
 */
public record UploadResult(Manifest manifest, boolean manifestWritten, int filesUploaded, long bytesUploaded,
                           int filesReused, TierUploader.ExistenceCheck existenceCheck, Duration took) {
}
