package io.rocksraft.server.ops;

import com.codahale.metrics.health.HealthCheck;
import io.rocksraft.server.tier.TierSnapshotTransfer;

/**
 * The {@code tier} health check (only when the tier is on): the bucket answered the last upload
 * or probe. Unhealthy does not stop the node serving; uploads are retried until it is back.
 */
public final class TierHealthCheck extends HealthCheck {
  public static final String NAME = "tier";

  private final TierSnapshotTransfer transfer;

  public TierHealthCheck(TierSnapshotTransfer transfer) {
    this.transfer = transfer;
  }

  @Override
  protected Result check() {
    TierSnapshotTransfer.Status s = transfer.status();
    ResultBuilder result = s.healthy() ? Result.builder().healthy() : Result.builder().unhealthy();
    return result.withMessage(s.message())
        .withDetail("since", s.since().toString())
        .withDetail("lastUploadedIndex", s.lastUploadedIndex())
        .build();
  }
}
