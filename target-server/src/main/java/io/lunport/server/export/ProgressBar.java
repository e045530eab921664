package io.lunport.server.export;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A one-line progress bar redrawn in place ({@code \r}) four times a second from a copy's
 * {@link CopyCounters}, for a terminal only: the caller shows it when stdout is a console.
 */
public final class ProgressBar implements ExportListener {

    private static final long PERIOD_MILLIS = 250;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private ScheduledExecutorService ticker;
    private CopyCounters counters;
    private long startNanos;

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void started(CopyCounters counters) {
        this.counters = counters;
        this.startNanos = System.nanoTime();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "export-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::draw, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void finished() {
        if (ticker == null) {
            return;
        }
        ticker.shutdownNow();
        ticker = null;
        out.print("\r" + " ".repeat(line(counters.total()).length()) + "\r"); // the summary line takes its place
        out.flush();
    }

    private synchronized void draw() {
        if (ticker == null) {
            return;
        }
        out.print("\r" + line(counters.done()));
        out.flush();
    }

    private String line(long done) {
        long total = Math.max(1, counters.total());
        int filled = (int) (done * WIDTH / total);
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        return String.format("export [%s%s] %3d%%  %s / %s  %.0f MiB/s ", "#".repeat(filled), " ".repeat(WIDTH - filled),
                done * 100 / total, Units.human(done), Units.human(counters.total()), counters.written() / seconds / Units.MIB);
    }
}
