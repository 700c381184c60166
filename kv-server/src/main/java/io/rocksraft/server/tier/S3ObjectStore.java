package io.rocksraft.server.tier;

import io.rocksraft.server.config.TierConfig;
import io.rocksraft.server.tier.TierMetrics.Request;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3-compatible bucket under a key prefix, through the AWS SDK v2's synchronous
 * client over the JDK's {@code HttpURLConnection}.
 *
 * <ul>
 *   <li>Files above {@code multipartThresholdBytes} go up as a multipart upload of
 *       {@code partSizeBytes} parts, aborted when it fails.</li>
 *   <li>Retries, twice over: the SDK's standard strategy retries each HTTP request (3 attempts,
 *       exponential backoff with jitter); {@link Retry} repeats a whole object operation up to
 *       {@code maxAttempts} times, which also covers what the SDK cannot retry, such as a download
 *       whose body breaks off or a multipart upload whose part ran out of retries.</li>
 *   <li>Uploads share one {@link TokenBucket} of {@code uploadBytesPerSecond}.</li>
 *   <li>{@link #putIfAbsent} sends {@code If-None-Match: *} where the server honours it (AWS S3
 *       since 2024); the store asks the server once. Where it does not (S3Proxy 2.6.0 ignores the
 *       header on PUT), it falls back to HEAD then PUT, which a concurrent creator can race.</li>
 * </ul>
 */
public final class S3ObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);
  private static final String OCTET_STREAM = "application/octet-stream";
  private static final int SDK_ATTEMPTS = 3;
  static final String PROBE_PREFIX = "probes/";

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final long multipartThreshold;
  private final long partSize;
  private final int listPageSize;
  private final TokenBucket bandwidth;
  private final TierMetrics metrics;
  private final Retry retry;
  private Boolean nativeConditionalPut;

  public S3ObjectStore(TierConfig config, TierMetrics metrics) {
    this(config, metrics, Retry.Policy.of(config.maxAttempts()), 1000);
  }

  S3ObjectStore(TierConfig config, TierMetrics metrics, Retry.Policy retryPolicy, int listPageSize) {
    TierConfig.S3 c = config.s3();
    this.bucket = c.bucket();
    this.prefix = c.prefix().isEmpty() || c.prefix().endsWith("/") ? c.prefix() : c.prefix() + "/";
    this.multipartThreshold = config.multipartThresholdBytes();
    this.partSize = config.partSizeBytes();
    this.listPageSize = listPageSize;
    this.bandwidth = new TokenBucket(config.uploadBytesPerSecond());
    this.metrics = metrics;
    this.retry = new Retry(retryPolicy, metrics, e -> e instanceof TransientFailure);
    this.s3 = client(c, metrics);
  }

  private static S3Client client(TierConfig.S3 c, TierMetrics metrics) {
    AwsCredentialsProvider credentials = c.accessKey() != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey(), c.secretKey()))
        : DefaultCredentialsProvider.builder().build();
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofSeconds(60)))
        .region(Region.of(c.region()))
        .forcePathStyle(c.pathStyle())
        .credentialsProvider(credentials)
        // Our own CRC32C covers every file end to end (manifest). The SDK's default trailing CRC32
        // (aws-chunked with x-amz-trailer) is refused by S3Proxy 2.6.0 and by other S3-compatible stores.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o
            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(SDK_ATTEMPTS)
                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(5)))
                .build())
            .addExecutionInterceptor(new RequestCounter(metrics)));
    if (c.endpoint() != null) {
      builder.endpointOverride(URI.create(c.endpoint()));
    }
    return builder.build();
  }

  @Override
  public void put(String key, Path file) throws IOException {
    String full = fullKey(key);
    long size = Files.size(file);
    retry.call("S3 PUT " + where(key), () -> sdk(key, () -> {
      if (size > multipartThreshold) {
        putMultipart(full, file, size);
      } else {
        s3.putObject(b -> b.bucket(bucket).key(full).contentLength(size),
            RequestBody.fromContentProvider(() -> bandwidth.throttle(open(file, 0, size)), size, OCTET_STREAM));
      }
      return null;
    }));
    metrics.uploaded(size);
  }

  @Override
  public void put(String key, byte[] bytes) throws IOException {
    String full = fullKey(key);
    retry.call("S3 PUT " + where(key), () -> sdk(key, () -> {
      bandwidth.acquire(bytes.length);
      return s3.putObject(b -> b.bucket(bucket).key(full), RequestBody.fromBytes(bytes));
    }));
    metrics.uploaded(bytes.length);
  }

  @Override
  public boolean putIfAbsent(String key, byte[] bytes) throws IOException {
    String full = fullKey(key);
    if (!atomicCreate()) {
      if (head(key).isPresent()) {
        return false;
      }
      put(key, bytes);
      return true;
    }
    boolean created = retry.call("S3 conditional PUT " + where(key), () -> sdk(key, () -> {
      try {
        bandwidth.acquire(bytes.length);
        s3.putObject(b -> b.bucket(bucket).key(full).ifNoneMatch("*"), RequestBody.fromBytes(bytes));
        return true;
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          return false;
        }
        throw e;
      }
    }));
    if (created) {
      metrics.uploaded(bytes.length);
    }
    return created;
  }

  /**
   * Asks the server once whether it honours {@code If-None-Match: *} on PUT: creates a probe
   * object, tries to create it again, and deletes it (two PUTs and a DELETE per store).
   */
  @Override
  public synchronized boolean atomicCreate() throws IOException {
    if (nativeConditionalPut == null) {
      String probe = PROBE_PREFIX + "if-none-match-" + UUID.randomUUID();
      String full = fullKey(probe);
      byte[] body = "probe".getBytes(StandardCharsets.UTF_8);
      try {
        nativeConditionalPut = retry.call("S3 conditional PUT probe " + where(probe), () -> sdk(probe, () -> {
          try {
            s3.putObject(b -> b.bucket(bucket).key(full).ifNoneMatch("*"), RequestBody.fromBytes(body));
            s3.putObject(b -> b.bucket(bucket).key(full).ifNoneMatch("*"), RequestBody.fromBytes(body));
            return false;
          } catch (S3Exception e) {
            if (e.statusCode() == 412) {
              return true;
            }
            if (e.statusCode() == 400 || e.statusCode() == 501) {
              return false;
            }
            throw e;
          }
        }));
      } finally {
        try {
          delete(probe);
        } catch (IOException e) {
          LOG.warn("could not delete the probe object {}: {}", where(probe), e.getMessage());
        }
      }
      if (!nativeConditionalPut) {
        LOG.warn("{} does not honour If-None-Match on PUT (S3Proxy before 2.8.0 does not): manifests are"
            + " created with HEAD then PUT, and a second writer of the same position can race the first",
            describe());
      }
    }
    return nativeConditionalPut;
  }

  @Override
  public void get(String key, Path target) throws IOException {
    String full = fullKey(key);
    long size = retry.call("S3 GET " + where(key), () -> sdk(key, () -> {
      try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(full))) {
        return Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        // The body broke off; the SDK does not retry a response it has begun to hand over.
        throw SdkClientException.create("download of " + where(key) + " broke off: " + e.getMessage(), e);
      }
    }));
    metrics.downloaded(size);
  }

  @Override
  public byte[] getBytes(String key) throws IOException {
    String full = fullKey(key);
    byte[] bytes = retry.call("S3 GET " + where(key), () -> sdk(key,
        () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(full)).asByteArray()));
    metrics.downloaded(bytes.length);
    return bytes;
  }

  @Override
  public Optional<ObjectInfo> head(String key) throws IOException {
    String full = fullKey(key);
    try {
      HeadObjectResponse r = retry.call("S3 HEAD " + where(key), () -> sdk(key,
          () -> s3.headObject(b -> b.bucket(bucket).key(full))));
      return Optional.of(new ObjectInfo(key, r.contentLength(), r.lastModified()));
    } catch (NoSuchObjectException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<ObjectInfo> list(String listPrefix) throws IOException {
    String full = prefix + listPrefix;
    return retry.call("S3 LIST " + where(listPrefix), () -> sdk(listPrefix, () -> {
      List<ObjectInfo> found = new ArrayList<>();
      String token = null;
      do {
        String continuation = token;
        ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(full).maxKeys(listPageSize)
            .continuationToken(continuation));
        for (S3Object o : page.contents()) {
          found.add(new ObjectInfo(o.key().substring(prefix.length()), o.size(), o.lastModified()));
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
      return found;
    }));
  }

  @Override
  public void delete(String key) throws IOException {
    String full = fullKey(key);
    retry.call("S3 DELETE " + where(key), () -> sdk(key,
        () -> s3.deleteObject(b -> b.bucket(bucket).key(full))));
  }

  @Override
  public String describe() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public void close() {
    s3.close();
  }

  private void putMultipart(String full, Path file, long size) {
    String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(full)).uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      long offset = 0;
      for (int number = 1; offset < size; number++) {
        long length = Math.min(partSize, size - offset);
        long from = offset;
        int partNumber = number;
        String eTag = s3.uploadPart(b -> b.bucket(bucket).key(full).uploadId(uploadId).partNumber(partNumber)
                .contentLength(length),
            RequestBody.fromContentProvider(() -> bandwidth.throttle(open(file, from, length)), length,
                OCTET_STREAM)).eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
        offset += length;
      }
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(full).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
      metrics.multipartUpload(parts.size());
    } catch (RuntimeException e) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(full).uploadId(uploadId));
      } catch (RuntimeException abortFailed) {
        e.addSuppressed(abortFailed);
      }
      throw e;
    }
  }

  /** {@code length} bytes of {@code file} from {@code offset}. */
  private static InputStream open(Path file, long offset, long length) {
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(offset);
      return new FilterInputStream(Channels.newInputStream(channel)) {
        private long left = length;

        @Override
        public int read() throws IOException {
          if (left <= 0) {
            return -1;
          }
          int b = super.read();
          if (b >= 0) {
            left--;
          }
          return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
          if (left <= 0) {
            return -1;
          }
          int n = super.read(buffer, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String fullKey(String key) {
    return prefix + ObjectStore.checkKey(key);
  }

  private String where(String key) {
    return describe() + key;
  }

  private interface SdkCall<T> {
    T run() throws IOException;
  }

  /** Runs one SDK call, turning its exceptions into ours: transient ones are retried, others are not. */
  private <T> T sdk(String key, SdkCall<T> call) throws IOException {
    try {
      return call.run();
    } catch (S3Exception e) {
      int status = e.statusCode();
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      if (status == 404 && !"NoSuchBucket".equals(code) && !"NoSuchUpload".equals(code)) {
        throw new NoSuchObjectException(key, describe());
      }
      String message = "S3 answered " + status + (code == null ? "" : " " + code) + " for " + where(key)
          + (e.awsErrorDetails() == null ? "" : ": " + e.awsErrorDetails().errorMessage());
      if (status >= 500 || status == 429 || status == 408 || status == 409 || "RequestTimeout".equals(code)) {
        throw new TransientFailure(message, e);
      }
      throw new ObjectStoreException(message, e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (SdkClientException e) {
      if (e.getCause() instanceof UncheckedIOException local) {
        throw local.getCause();
      }
      throw new TransientFailure("S3 request for " + where(key) + " failed: " + e.getMessage(), e);
    } catch (SdkException e) {
      throw new ObjectStoreException("S3 request for " + where(key) + " failed: " + e.getMessage(), e);
    }
  }

  /** A failure worth trying again: no answer, a 5xx, throttling, a conflicting concurrent request. */
  static final class TransientFailure extends ObjectStoreException {
    TransientFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Counts every HTTP attempt by kind (so SDK retries show) and drops {@code Expect: 100-continue}:
   * {@code HttpURLConnection} reports an error status sent before 100 Continue as an I/O failure,
   * which would hide a 412 from a conditional PUT behind retries.
   */
  private static final class RequestCounter implements ExecutionInterceptor {
    private final TierMetrics metrics;

    RequestCounter(TierMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
      return context.httpRequest().toBuilder().removeHeader("Expect").build();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
      metrics.request(switch (operation == null ? "" : operation) {
        case "GetObject" -> Request.GET;
        case "HeadObject" -> Request.HEAD;
        case "ListObjectsV2" -> Request.LIST;
        case "DeleteObject", "DeleteObjects", "AbortMultipartUpload" -> Request.DELETE;
        default -> Request.PUT;
      });
    }
  }
}
