package io.lunport.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP side of the metrics: {@code /metrics} in the Prometheus text format (client_java's
 * handler, which also negotiates OpenMetrics and protobuf when a scraper asks), and
 * {@code /healthz}: 200 "ok" while the server serves, 503 "stopping" once a stop has begun.
 *
 * <p>{@code lunport_*} families come from {@link LunportCollector}; the JVM families
 * ({@code jvm_*}) from client_java's Dropwizard bridge, which suits them: they carry no labels.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HttpServer http;
    private final ExecutorService executor;
    private volatile boolean stopping;

    private MetricsEndpoint(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /** Listens on {@code address} (port 0: any free port) and serves until {@link #close()}. */
    public static MetricsEndpoint start(ServerMetrics metrics, InetSocketAddress address) throws IOException {
        PrometheusRegistry prometheus = new PrometheusRegistry();
        prometheus.register(new LunportCollector(metrics));
        DropwizardExports.builder()
                .dropwizardRegistry(metrics.registry())
                .metricFilter((name, metric) -> name.startsWith("jvm."))
                .register(prometheus);
        HttpServer http = HttpServer.create(address, 16);
        // One thread: scrapes are rare and cheap, and never touch the I/O path.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lunport-metrics-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        MetricsEndpoint endpoint = new MetricsEndpoint(http, executor);
        http.createContext("/metrics", new MetricsHandler(prometheus));
        http.createContext("/healthz", endpoint::health);
        http.start();
        return endpoint;
    }

    /** The address actually bound (the port when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** From now on {@code /healthz} answers 503: load balancers and probes stop sending work. */
    public void stopping() {
        stopping = true;
    }

    private void health(HttpExchange exchange) throws IOException {
        try (exchange) {
            boolean exact = exchange.getRequestURI().getPath().equals("/healthz");
            int status = !exact ? 404 : stopping ? 503 : 200;
            byte[] body = (!exact ? "not found" : stopping ? "stopping" : "ok").concat("\n")
                    .getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=us-ascii");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
