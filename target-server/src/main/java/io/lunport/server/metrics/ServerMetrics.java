package io.lunport.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import com.codahale.metrics.jvm.BufferPoolMetricSet;
import com.codahale.metrics.jvm.ClassLoadingGaugeSet;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import com.codahale.metrics.jvm.ThreadStatesGaugeSet;
import io.lunport.iscsi.session.Session;
import io.lunport.iscsi.session.SessionEvents;
import io.lunport.iscsi.session.SessionRegistry;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.translation.TranslationContext;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every metric of a running server in one Dropwizard registry: per LUN ({@link LunMetrics}),
 * per target (logins, sessions), the translation caches and the JVM. It counts logins as the
 * iSCSI layer's {@link SessionEvents} listener. {@link MetricsEndpoint} exports it.
 */
public final class ServerMetrics implements SessionEvents {

    private final MetricRegistry registry = new MetricRegistry();
    private final List<LunMetrics> luns = new CopyOnWriteArrayList<>();
    private final Map<String, TargetMetrics> targets = new ConcurrentHashMap<>();
    /** Refused logins that named no target lunport has: discovery sessions and unknown names. */
    private final Counter otherLoginFailures = new Counter();
    private final Counter discoveryLogins = new Counter();
    private final TranslationContext caches;
    private volatile SessionRegistry sessions;

    public ServerMetrics(TranslationContext caches) {
        this.caches = caches;
        registry.register("lunport.login_failures_other", otherLoginFailures);
        registry.register("lunport.discovery_logins", discoveryLogins);
        registry.gauge("lunport.cache.metadata.hits", () -> () -> caches.metadataStats().hitCount());
        registry.gauge("lunport.cache.metadata.misses", () -> () -> caches.metadataStats().missCount());
        registry.gauge("lunport.cache.metadata.bytes", () -> caches::metadataBytes);
        registry.gauge("lunport.cache.data.hits", () -> () -> caches.dataStats().hitCount());
        registry.gauge("lunport.cache.data.misses", () -> () -> caches.dataStats().missCount());
        registry.gauge("lunport.cache.data.bytes", () -> caches::dataBytes);
        registry.register("jvm.memory", new MemoryUsageGaugeSet());
        registry.register("jvm.gc", new GarbageCollectorMetricSet());
        registry.register("jvm.threads", new ThreadStatesGaugeSet());
        registry.register("jvm.buffers", new BufferPoolMetricSet(ManagementFactory.getPlatformMBeanServer()));
        registry.register("jvm.classes", new ClassLoadingGaugeSet());
    }

    /** Adds a LUN's metrics (before the server serves it). */
    public void add(LunMetrics lun) {
        lun.registerIn(registry);
        luns.add(lun);
    }

    /** Adds a target: its logins are counted from now on, its sessions read from {@link #countSessionsIn}. */
    public void addTarget(String target) {
        TargetMetrics metrics = new TargetMetrics(target, () -> sessionsOf(target));
        if (targets.putIfAbsent(target, metrics) == null) {
            metrics.registerIn(registry);
        }
    }

    /** Withdraws a LUN's metrics from the registry (so from JMX) and from /metrics: a reload took it away. */
    public void remove(String target, int lun) {
        for (LunMetrics metrics : luns) {
            if (metrics.target().equals(target) && metrics.lun() == lun) {
                luns.remove(metrics);
                metrics.removeFrom(registry);
            }
        }
    }

    /** Withdraws a target's login and session metrics: a reload took it away. */
    public void removeTarget(String target) {
        TargetMetrics metrics = targets.remove(target);
        if (metrics != null) {
            metrics.removeFrom(registry);
        }
    }

    /** Where the per-target session gauges count sessions: the iSCSI server's registry. */
    public void countSessionsIn(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    private int sessionsOf(String target) {
        SessionRegistry registry = sessions;
        if (registry == null) {
            return 0;
        }
        int n = 0;
        for (Session session : registry.sessions()) {
            if (!session.isDiscovery() && session.target().name().equals(target)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void loginSucceeded(Session session) {
        if (session.isDiscovery()) {
            discoveryLogins.inc();
            return;
        }
        TargetMetrics target = targets.get(session.target().name());
        if (target != null) {
            target.loginSucceeded();
        }
    }

    @Override
    public void loginFailed(IscsiTarget target) {
        TargetMetrics metrics = target == null ? null : targets.get(target.name());
        if (metrics != null) {
            metrics.loginFailed();
        } else {
            otherLoginFailures.inc();
        }
    }

    /** Publishes every metric as an MBean in the {@code io.lunport} domain; close the result to withdraw them. */
    public JmxReporter exposeOverJmx() {
        JmxReporter jmx = JmxReporter.forRegistry(registry).inDomain("io.lunport").build();
        jmx.start();
        return jmx;
    }

    public MetricRegistry registry() {
        return registry;
    }

    List<LunMetrics> luns() {
        return luns;
    }

    Iterable<TargetMetrics> targets() {
        return targets.values();
    }

    TranslationContext caches() {
        return caches;
    }

    long otherLoginFailures() {
        return otherLoginFailures.getCount();
    }

    long discoveryLogins() {
        return discoveryLogins.getCount();
    }
}
