package io.rocksraft.server.ops;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Dropwizard's metric registry as Prometheus metrics: each name with its dots (and other
 * characters Prometheus does not allow) as underscores. Operations and column families stay
 * in the name rather than becoming labels: the Dropwizard 4 bridge exports each Dropwizard
 * metric as a metric family of its own, and refuses two that would share a name.
 */
public final class PrometheusExport {
  /** The admin port's path of the text format. */
  public static final String PATH = "/prometheus";

  private PrometheusExport() {
  }

  /** A registry of its own (not Prometheus' static default) that reads {@code metrics} at each scrape. */
  public static PrometheusRegistry of(MetricRegistry metrics) {
    PrometheusRegistry registry = new PrometheusRegistry();
    DropwizardExports.builder().dropwizardRegistry(metrics).register(registry);
    return registry;
  }
}
