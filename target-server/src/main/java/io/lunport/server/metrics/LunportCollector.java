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
import java.util.function.Function;
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
        addDirection(out, "read", "READ", "read by", luns, LunMetrics::reads);
        addDirection(out, "write", "WRITE", "written by", luns, LunMetrics::writes);
        out.metricSnapshot(lunCounter("lunport_lun_commands", "SCSI commands of every kind received", luns,
                LunMetrics::commands));
        out.metricSnapshot(gauge("lunport_lun_commands_in_flight", "SCSI commands running now", luns,
                LunportCollector::labels, LunMetrics::inFlight));
        out.metricSnapshot(errors(luns));
        out.metricSnapshot(gauge("lunport_lun_overlay_bytes", "Bytes of data the LUN's overlay file stores",
                luns.stream().filter(l -> l.overlayBytes() >= 0).toList(), LunportCollector::labels,
                LunMetrics::overlayBytes));
        Iterable<TargetMetrics> targets = metrics.targets();
        out.metricSnapshot(gauge("lunport_target_sessions", "Sessions logged in to the target now", targets,
                LunportCollector::labels, TargetMetrics::sessions));
        out.metricSnapshot(counter("lunport_target_logins", "Logins accepted", targets, LunportCollector::labels,
                TargetMetrics::logins));
        out.metricSnapshot(counter("lunport_target_login_failures", "Logins refused (authentication, parameters)",
                targets, LunportCollector::labels, TargetMetrics::loginFailures));
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

    /** A counter family with one data point per item, labelled by {@code labels}. */
    private static <T> CounterSnapshot counter(String name, String help, Iterable<T> items, Function<T, Labels> labels,
                                               ToDoubleFunction<T> value) {
        CounterSnapshot.Builder family = CounterSnapshot.builder().name(name).help(help);
        for (T item : items) {
            family.dataPoint(CounterDataPointSnapshot.builder().labels(labels.apply(item)).value(value.applyAsDouble(item)).build());
        }
        return family.build();
    }

    /** A gauge family with one data point per item (the client's gauge and counter builders share no type). */
    private static <T> GaugeSnapshot gauge(String name, String help, Iterable<T> items, Function<T, Labels> labels,
                                           ToDoubleFunction<T> value) {
        GaugeSnapshot.Builder family = GaugeSnapshot.builder().name(name).help(help);
        for (T item : items) {
            family.dataPoint(GaugeDataPointSnapshot.builder().labels(labels.apply(item)).value(value.applyAsDouble(item)).build());
        }
        return family.build();
    }

    private static CounterSnapshot lunCounter(String name, String help, List<LunMetrics> luns,
                                              ToDoubleFunction<LunMetrics> value) {
        return counter(name, help, luns, LunportCollector::labels, value);
    }

    private static Labels labels(TargetMetrics target) {
        return Labels.of("target", target.target());
    }

    /** The operations, bytes and latency families of one direction: lunport_lun_{read,write}_*. */
    private static void addDirection(MetricSnapshots.Builder out, String kind, String command, String moved,
                                     List<LunMetrics> luns, Function<LunMetrics, LunMetrics.Direction> direction) {
        String prefix = "lunport_lun_" + kind;
        out.metricSnapshot(lunCounter(prefix + "_operations", command + " commands completed", luns,
                l -> direction.apply(l).operations()));
        out.metricSnapshot(lunCounter(prefix + "_bytes", "Bytes " + moved + " " + command + " commands", luns,
                l -> direction.apply(l).bytes.getCount()));
        SummarySnapshot.Builder latency = SummarySnapshot.builder().name(prefix + "_latency_seconds")
                .help("Time to run a " + command + " command; quantiles over the last " + LunMetrics.LATENCY_WINDOW);
        for (LunMetrics lun : luns) {
            LunMetrics.Direction d = direction.apply(lun);
            Snapshot window = d.latencyNanos.getSnapshot();
            List<Quantile> quantiles = new ArrayList<>(QUANTILES.length);
            for (double q : QUANTILES) {
                quantiles.add(new Quantile(q, window.getValue(q) / NANOS_PER_SECOND));
            }
            latency.dataPoint(SummaryDataPointSnapshot.builder().labels(labels(lun))
                    .count(d.operations())
                    .sum(d.latencySumNanos.sum() / NANOS_PER_SECOND)
                    .quantiles(Quantiles.of(quantiles))
                    .build());
        }
        out.metricSnapshot(latency.build());
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

    private static CounterSnapshot cacheCounter(String name, String help, long metadata, long data) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("cache", "metadata")).value(metadata).build())
                .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("cache", "data")).value(data).build())
                .build();
    }
}
