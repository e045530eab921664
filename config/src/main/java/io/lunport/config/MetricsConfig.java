package io.lunport.config;

/** {@code metrics: { listen: HOST:PORT }}: where Prometheus text is served at {@code /metrics}. */
public record MetricsConfig(PortalConfig listen) {
}
