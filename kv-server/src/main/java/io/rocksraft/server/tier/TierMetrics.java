package io.rocksraft.server.tier;

import com.codahale.metrics.Counter;
import com.codahale.metrics.DefaultSettableGauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The tier's metrics in the node's registry: requests to the store by kind
 * ({@code rocksraft.tier.KIND.requests}, each HTTP attempt counted, retries included), bytes and
 * objects moved, multipart uploads, whole-operation retries, and how long uploads take.
 * Creating a second instance over the same registry shares the same metrics.
 */
public final class TierMetrics {
  public static final String PREFIX = "rocksraft.tier";

  /**
   * Request kinds, as S3 bills them: multipart create, part and complete count as PUT; an
   * aborted multipart upload as DELETE.
   */
  public enum Request {
    PUT, GET, LIST, HEAD, DELETE;

    public String metricName() {
      return MetricRegistry.name(PREFIX, name().toLowerCase(Locale.ROOT), "requests");
    }
  }

  private final Map<Request, Counter> requests = new EnumMap<>(Request.class);
  private final Counter uploadBytes;
  private final Counter uploadObjects;
  private final Counter downloadBytes;
  private final Counter downloadObjects;
  private final Counter multipartUploads;
  private final Counter multipartParts;
  private final Counter retries;
  private final Timer uploads;
  private final DefaultSettableGauge<Long> lastUploadMillis;

  public TierMetrics(MetricRegistry registry) {
    for (Request r : Request.values()) {
      requests.put(r, registry.counter(r.metricName()));
    }
    uploadBytes = registry.counter(MetricRegistry.name(PREFIX, "upload", "bytes"));
    uploadObjects = registry.counter(MetricRegistry.name(PREFIX, "upload", "objects"));
    downloadBytes = registry.counter(MetricRegistry.name(PREFIX, "download", "bytes"));
    downloadObjects = registry.counter(MetricRegistry.name(PREFIX, "download", "objects"));
    multipartUploads = registry.counter(MetricRegistry.name(PREFIX, "multipart", "uploads"));
    multipartParts = registry.counter(MetricRegistry.name(PREFIX, "multipart", "parts"));
    retries = registry.counter(MetricRegistry.name(PREFIX, "retries"));
    uploads = registry.timer(MetricRegistry.name(PREFIX, "upload", "duration"));
    lastUploadMillis = registry.gauge(MetricRegistry.name(PREFIX, "upload", "last_duration_ms"),
        () -> new DefaultSettableGauge<>(0L));
  }

  public void request(Request kind) {
    requests.get(kind).inc();
  }

  public long requests(Request kind) {
    return requests.get(kind).getCount();
  }

  public void uploaded(long bytes) {
    uploadBytes.inc(bytes);
    uploadObjects.inc();
  }

  public void downloaded(long bytes) {
    downloadBytes.inc(bytes);
    downloadObjects.inc();
  }

  public void multipartUpload(int parts) {
    multipartUploads.inc();
    multipartParts.inc(parts);
  }

  public void retry() {
    retries.inc();
  }

  /** One snapshot upload, from its first request to its manifest. */
  public void uploadTook(Duration took) {
    uploads.update(took);
    lastUploadMillis.setValue(took.toMillis());
  }

  public long uploadedBytes() {
    return uploadBytes.getCount();
  }

  public long downloadedObjects() {
    return downloadObjects.getCount();
  }

  public long multipartUploads() {
    return multipartUploads.getCount();
  }

  public long multipartParts() {
    return multipartParts.getCount();
  }

  public long retries() {
    return retries.getCount();
  }
}
