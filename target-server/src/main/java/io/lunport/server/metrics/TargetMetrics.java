package io.lunport.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.util.function.IntSupplier;

/** Logins to one target, successful and refused, and its open sessions (counted at scrape time). */
final class TargetMetrics {

    private final String target;
    private final Counter logins = new Counter();
    private final Counter loginFailures = new Counter();
    private final IntSupplier sessions;

    TargetMetrics(String target, IntSupplier sessions) {
        this.target = target;
        this.sessions = sessions;
    }

    void registerIn(MetricRegistry registry) {
        String prefix = MetricRegistry.name("lunport.target", target);
        registry.register(prefix + ".logins", logins);
        registry.register(prefix + ".login_failures", loginFailures);
        registry.gauge(prefix + ".sessions", () -> sessions::getAsInt);
    }

    /** Withdraws what {@link #registerIn} registered (a reload took the target away). */
    void removeFrom(MetricRegistry registry) {
        String prefix = MetricRegistry.name("lunport.target", target);
        for (String name : new String[] {".logins", ".login_failures", ".sessions"}) {
            registry.remove(prefix + name);
        }
    }

    String target() {
        return target;
    }

    void loginSucceeded() {
        logins.inc();
    }

    void loginFailed() {
        loginFailures.inc();
    }

    long logins() {
        return logins.getCount();
    }

    long loginFailures() {
        return loginFailures.getCount();
    }

    int sessions() {
        return sessions.getAsInt();
    }
}
