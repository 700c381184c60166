package io.rocksraft.server.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The object-storage tier (see {@code docs/configuration.md}, section "tier"): where snapshots are
 * shipped and how. Off by default; the default backend is a directory beside the node's data
 * directory, which the nodes of a local cluster share.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TierConfig(
    Boolean enabled,
    String backend,
    Path directory,
    S3 s3,
    Long multipartThresholdBytes,
    Long partSizeBytes,
    Long uploadBytesPerSecond,
    Integer retainManifests,
    Integer maxAttempts,
    Long gcGraceMs,
    Long bucketWaitMs) {

  public static final String DIRECTORY = "directory";
  public static final String S3_BACKEND = "s3";
  /** S3's smallest part (all but the last part of a multipart upload) and largest part. */
  public static final long MIN_PART_BYTES = 5L << 20;
  public static final long MAX_PART_BYTES = 5L << 30;
  public static final TierConfig DEFAULTS =
      new TierConfig(null, null, null, null, null, null, null, null, null, null, null);

  public TierConfig {
    enabled = Objects.requireNonNullElse(enabled, false);
    backend = Objects.requireNonNullElse(backend, DIRECTORY);
    s3 = Objects.requireNonNullElse(s3, S3.DEFAULTS);
    multipartThresholdBytes = Objects.requireNonNullElse(multipartThresholdBytes, 64L << 20);
    partSizeBytes = Objects.requireNonNullElse(partSizeBytes, 16L << 20);
    uploadBytesPerSecond = Objects.requireNonNullElse(uploadBytesPerSecond, 0L);
    retainManifests = Objects.requireNonNullElse(retainManifests, 10);
    maxAttempts = Objects.requireNonNullElse(maxAttempts, 5);
    gcGraceMs = Objects.requireNonNullElse(gcGraceMs, 6L * 60 * 60 * 1000);
    bucketWaitMs = Objects.requireNonNullElse(bucketWaitMs, 15_000L);
  }

  /**
   * An S3-compatible bucket. Credentials: both keys, or neither for the AWS SDK's default chain
   * (environment, system properties, profile files, container and instance roles).
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record S3(String endpoint, String region, String bucket, String prefix, Boolean pathStyle,
                   String accessKey, String secretKey) {
    public static final S3 DEFAULTS = new S3(null, null, null, null, null, null, null);

    public S3 {
      region = Objects.requireNonNullElse(region, "us-east-1");
      prefix = Objects.requireNonNullElse(prefix, "");
      pathStyle = Objects.requireNonNullElse(pathStyle, false);
    }

    /** The secret stays out of logs and error messages. */
    @Override
    public String toString() {
      return "S3[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
          + ", pathStyle=" + pathStyle + ", accessKey=" + accessKey
          + ", secretKey=" + (secretKey == null ? null : "***") + "]";
    }
  }

  /** The directory backend's root: {@code directory}, or {@code tier} beside the data directory. */
  public Path directoryFor(Path dataDir) {
    if (directory != null) {
      return directory;
    }
    Path parent = dataDir.toAbsolutePath().normalize().getParent();
    return (parent != null ? parent : dataDir.toAbsolutePath()).resolve("tier");
  }

  /** Checks what the types cannot; the S3 keys are checked only when the S3 backend is on. */
  public TierConfig validate() {
    List<String> errors = new ArrayList<>();
    if (!DIRECTORY.equals(backend) && !S3_BACKEND.equals(backend)) {
      errors.add("tier.backend must be '" + DIRECTORY + "' or '" + S3_BACKEND + "', not '" + backend + "'");
    }
    if (enabled && S3_BACKEND.equals(backend)) {
      validateS3(errors);
    }
    if (multipartThresholdBytes < 1) {
      errors.add("tier.multipartThresholdBytes must be at least 1");
    }
    if (partSizeBytes < MIN_PART_BYTES || partSizeBytes > MAX_PART_BYTES) {
      errors.add("tier.partSizeBytes must be between " + MIN_PART_BYTES + " (5 MiB) and " + MAX_PART_BYTES
          + " (5 GiB), S3's bounds for a part; got " + partSizeBytes);
    }
    if (uploadBytesPerSecond < 0) {
      errors.add("tier.uploadBytesPerSecond must be 0 (unlimited) or more");
    }
    if (retainManifests < 1) {
      errors.add("tier.retainManifests must be at least 1: the newest manifest is the restore point");
    }
    if (maxAttempts < 1 || maxAttempts > 20) {
      errors.add("tier.maxAttempts must be between 1 and 20");
    }
    if (gcGraceMs < 60_000) {
      errors.add("tier.gcGraceMs must be at least 60000 (one minute): an upload must finish within half of it");
    }
    if (bucketWaitMs < 100) {
      errors.add("tier.bucketWaitMs must be at least 100");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid tier configuration: " + String.join("; ", errors));
    }
    return this;
  }

  private void validateS3(List<String> errors) {
    if (s3.bucket() == null || s3.bucket().isBlank()) {
      errors.add("tier.s3.bucket is required with backend 's3'");
    }
    if (s3.region().isBlank()) {
      errors.add("tier.s3.region must not be blank");
    }
    if ((s3.accessKey() == null) != (s3.secretKey() == null)) {
      errors.add("tier.s3.accessKey and tier.s3.secretKey go together: give both, or neither for the default"
          + " credentials chain");
    }
    if (s3.prefix().startsWith("/")) {
      errors.add("tier.s3.prefix must not start with '/': '" + s3.prefix() + "'");
    }
    if (s3.endpoint() != null) {
      try {
        URI uri = new URI(s3.endpoint());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
          errors.add("tier.s3.endpoint must be an http:// or https:// URL with a host: '" + s3.endpoint() + "'");
        }
      } catch (URISyntaxException e) {
        errors.add("tier.s3.endpoint is not a URL: '" + s3.endpoint() + "'");
      }
    }
  }
}
