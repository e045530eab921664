package io.lunport.server.export;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Removes the partial output when the JVM is asked to stop (SIGINT, SIGTERM) during an export.
 * A shutdown hook cancels the export ({@link OutputFile#cancel}), waits for the export to wind
 * down (its workers stop at their next chunk and it discards the file), then discards the
 * file itself in case the export did not finish in time. Closing the guard (export over) withdraws the hook.
 */
final class InterruptCleanup implements AutoCloseable {

    /** Long enough for a worker to finish the chunk it is writing, short enough for a user waiting on Ctrl-C. */
    private static final long WIND_DOWN_SECONDS = 10;

    private final OutputFile output;
    private final PrintStream messages;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private InterruptCleanup(OutputFile output, PrintStream messages) {
        this.output = output;
        this.messages = messages;
        this.hook = new Thread(this::onShutdown, "export-interrupted");
    }

    static InterruptCleanup install(OutputFile output, PrintStream messages) {
        InterruptCleanup guard = new InterruptCleanup(output, messages);
        Runtime.getRuntime().addShutdownHook(guard.hook);
        return guard;
    }

    private void onShutdown() {
        output.cancel();
        try {
            finished.await(WIND_DOWN_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        messages.println("lunport: export interrupted: " + output.discard());
        messages.flush();
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it finishes the cleanup
        }
    }
}
