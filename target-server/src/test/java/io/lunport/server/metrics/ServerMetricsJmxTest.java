package io.lunport.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.jmx.JmxReporter;
import io.lunport.translation.TranslationContext;
import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The JMX face of the metrics: one MBean per metric in the io.lunport domain, IQNs and all. */
class ServerMetricsJmxTest {

    @Test
    void lunMetricsAppearAsMBeansWithTheirValues() throws Exception {
        ServerMetrics metrics = new ServerMetrics(TranslationContext.defaults());
        String target = "iqn.2026-11.io.lunport:jmx-test";
        LunMetrics lun = new LunMetrics(target, 0, () -> 12_288);
        metrics.add(lun);
        metrics.addTarget(target);
        lun.read(4096, 1_000);
        lun.read(8192, 2_000);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try (JmxReporter jmx = metrics.exposeOverJmx()) {
            Set<ObjectName> names = server.queryNames(new ObjectName("io.lunport:*"), null);
            ObjectName readBytes = names.stream()
                    .filter(n -> metricName(n).contains(target) && metricName(n).endsWith("read_bytes"))
                    .findFirst().orElseThrow(() -> new AssertionError("no read_bytes MBean among " + names));
            assertThat(server.getAttribute(readBytes, "Count")).isEqualTo(12_288L);
            ObjectName overlay = names.stream()
                    .filter(n -> metricName(n).endsWith("overlay_bytes"))
                    .findFirst().orElseThrow(() -> new AssertionError("no overlay_bytes MBean among " + names));
            assertThat(server.getAttribute(overlay, "Value")).isEqualTo(12_288L);
            assertThat(names).anyMatch(n -> metricName(n).endsWith(".login_failures"));
            assertThat(names).anyMatch(n -> metricName(n).startsWith("jvm.memory"));
        }
        assertThat(server.queryNames(new ObjectName("io.lunport:*"), null)).as("withdrawn on close").isEmpty();
    }

    /** The metric's name: quoted in the ObjectName when it holds a colon, as every IQN does. */
    private static String metricName(ObjectName name) {
        String value = name.getKeyProperty("name");
        return value.startsWith("\"") ? ObjectName.unquote(value) : value;
    }
}
