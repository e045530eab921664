package io.lunport.server.metrics;

import com.codahale.metrics.Snapshot;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The {@code lunport_*} metric families, with {@code target} and {@code lun} labels, built
 * at scrape time from the Dropwizard metrics of {@link ServerMetrics}.
 *
 * <p>Why not the Dropwizard bridge with a label mapper: that bridge turns every Dropwizard
 * metric into a family of its own, so two LUNs mapped to one name collide (client_java's
 * registry refuses duplicate family names), and its name patterns cannot capture an IQN,
 * which contains dots. This collector reads the same Dropwizard objects that JMX shows, so
 * both exports always agree. The names are listed in docs/operations.md.
 */
final class LunportCollector implements MultiCollector {

    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
    private static final double NANOS_PER_SECOND = 1e9;

    private final ServerMetrics metrics;

    LunportCollector(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public MetricSnapshots collect() {
        List<LunMetrics> luns = metrics.luns();
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        out.metricSnapshot(lunCounter("lunport_lun_read_operations", "READ commands completed", luns,
                l -> l.reads().operations()));
        out.metricSnapshot(lunCounter("lunport_lun_read_bytes", "Bytes read by READ commands", luns,
                l -> l.reads().bytes.getCount()));
        out.metricSnapshot(latency("lunport_lun_read_latency_seconds",
                "Time to run a READ command, over the last " + LunMetrics.LATENCY_WINDOW + " reads", luns, true));
        out.metricSnapshot(lunCounter("lunport_lun_write_operations", "WRITE commands completed", luns,
                l -> l.writes().operations()));
        out.metricSnapshot(lunCounter("lunport_lun_write_bytes", "Bytes written by WRITE commands", luns,
                l -> l.writes().bytes.getCount()));
        out.metricSnapshot(latency("lunport_lun_write_latency_seconds",
                "Time to run a WRITE command, over the last " + LunMetrics.LATENCY_WINDOW + " writes", luns, false));
        out.metricSnapshot(lunCounter("lunport_lun_commands", "SCSI commands of every kind received", luns,
                LunMetrics::commands));
        out.metricSnapshot(lunGauge("lunport_lun_commands_in_flight", "SCSI commands running now", luns,
                LunMetrics::inFlight));
        out.metricSnapshot(errors(luns));
        out.metricSnapshot(lunGauge("lunport_lun_overlay_bytes", "Bytes of data the LUN's overlay file stores",
                luns.stream().filter(l -> l.overlayBytes() >= 0).toList(), LunMetrics::overlayBytes));
        out.metricSnapshot(targets());
        out.metricSnapshot(targetCounter("lunport_target_logins", "Logins accepted", TargetMetrics::logins));
        out.metricSnapshot(targetCounter("lunport_target_login_failures", "Logins refused (authentication, "
                + "parameters)", TargetMetrics::loginFailures));
        out.metricSnapshot(CounterSnapshot.builder().name("lunport_login_failures_other")
                .help("Logins refused that named no target lunport serves (discovery, unknown target name)")
                .dataPoint(CounterDataPointSnapshot.builder().value(metrics.otherLoginFailures()).build()).build());
        out.metricSnapshot(CounterSnapshot.builder().name("lunport_discovery_logins")
                .help("Discovery sessions accepted")
                .dataPoint(CounterDataPointSnapshot.builder().value(metrics.discoveryLogins()).build()).build());
        var caches = metrics.caches();
        var metadata = caches.metadataStats();
        var data = caches.dataStats();
        out.metricSnapshot(cacheCounter("lunport_cache_hits", "Translation cache lookups served from memory",
                metadata.hitCount(), data.hitCount()));
        out.metricSnapshot(cacheCounter("lunport_cache_misses", "Translation cache lookups that read the image",
                metadata.missCount(), data.missCount()));
        out.metricSnapshot(GaugeSnapshot.builder().name("lunport_cache_bytes").help("Bytes the translation cache holds")
                .dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("cache", "metadata"))
                        .value(caches.metadataBytes()).build())
                .dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("cache", "data"))
                        .value(caches.dataBytes()).build())
                .build());
        return out.build();
    }

    private static Labels labels(LunMetrics lun) {
        return Labels.of("target", lun.target(), "lun", Integer.toString(lun.lun()));
    }

    private static CounterSnapshot lunCounter(String name, String help, List<LunMetrics> luns,
                                              ToDoubleFunction<LunMetrics> value) {
        CounterSnapshot.Builder family = CounterSnapshot.builder().name(name).help(help);
        for (LunMetrics lun : luns) {
            family.dataPoint(CounterDataPointSnapshot.builder().labels(labels(lun)).value(value.applyAsDouble(lun)).build());
        }
        return family.build();
    }

    private static GaugeSnapshot lunGauge(String name, String help, List<LunMetrics> luns,
                                          ToDoubleFunction<LunMetrics> value) {
        GaugeSnapshot.Builder family = GaugeSnapshot.builder().name(name).help(help);
        for (LunMetrics lun : luns) {
            family.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(lun)).value(value.applyAsDouble(lun)).build());
        }
        return family.build();
    }

    private static SummarySnapshot latency(String name, String help, List<LunMetrics> luns, boolean reads) {
        SummarySnapshot.Builder family = SummarySnapshot.builder().name(name).help(help);
        for (LunMetrics lun : luns) {
            LunMetrics.Direction direction = reads ? lun.reads() : lun.writes();
            Snapshot window = direction.latencyNanos.getSnapshot();
            List<Quantile> quantiles = new ArrayList<>(QUANTILES.length);
            for (double q : QUANTILES) {
                quantiles.add(new Quantile(q, window.getValue(q) / NANOS_PER_SECOND));
            }
            family.dataPoint(SummaryDataPointSnapshot.builder().labels(labels(lun))
                    .count(direction.operations())
                    .sum(direction.latencySumNanos.sum() / NANOS_PER_SECOND)
                    .quantiles(Quantiles.of(quantiles))
                    .build());
        }
        return family.build();
    }

    private static CounterSnapshot errors(List<LunMetrics> luns) {
        CounterSnapshot.Builder family = CounterSnapshot.builder().name("lunport_lun_errors")
                .help("Commands that ended in CHECK CONDITION, by sense key");
        for (LunMetrics lun : luns) {
            for (int key = 0; key < LunMetrics.SENSE_KEYS.length; key++) {
                family.dataPoint(CounterDataPointSnapshot.builder()
                        .labels(labels(lun).add("sense_key", LunMetrics.SENSE_KEYS[key]))
                        .value(lun.errors(key)).build());
            }
        }
        return family.build();
    }

    private GaugeSnapshot targets() {
        GaugeSnapshot.Builder family = GaugeSnapshot.builder().name("lunport_target_sessions")
                .help("Sessions logged in to the target now");
        for (TargetMetrics target : metrics.targets()) {
            family.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("target", target.target()))
                    .value(target.sessions()).build());
        }
        return family.build();
    }

    private CounterSnapshot targetCounter(String name, String help, ToDoubleFunction<TargetMetrics> value) {
        CounterSnapshot.Builder family = CounterSnapshot.builder().name(name).help(help);
        for (TargetMetrics target : metrics.targets()) {
            family.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("target", target.target()))
                    .value(value.applyAsDouble(target)).build());
        }
        return family.build();
    }

    private static CounterSnapshot cacheCounter(String name, String help, long metadata, long data) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("cache", "metadata")).value(metadata).build())
                .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("cache", "data")).value(data).build())
                .build();
    }
}
