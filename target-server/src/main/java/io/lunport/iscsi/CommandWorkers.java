package io.lunport.iscsi;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads on which SCSI commands run, so that no event loop waits for a disk. Handing a
 * command over takes no lock and allocates nothing: a {@link HandOffQueue}, and idle workers
 * parked and woken one at a time with {@link LockSupport} (a {@code ThreadPoolExecutor}
 * allocates a queue node or a lock-waiter node per hand-off, and its queue's lock can make the
 * event loop wait for a worker).
 *
 * <p>A worker runs commands until the queue is empty, then goes idle: it announces itself, looks
 * at the queue once more, and parks only if that look finds nothing. A producer that adds a
 * command wakes one announced worker. Whichever comes second of the announcement and the
 * addition sees the other, so a command never waits while every worker sleeps.
 */
final class CommandWorkers implements Executor, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandWorkers.class);

    private static final int BUSY = 0;
    private static final int IDLE = 1;
    private static final int WOKEN = 2;

    private final HandOffQueue<Runnable> queue;
    private final Worker[] workers;
    /** Workers in state IDLE: lets a producer skip the scan when all are busy. */
    private final AtomicInteger idle = new AtomicInteger();
    private volatile boolean stopping;

    /** @param capacity commands that may wait for a worker, a power of two */
    CommandWorkers(int threads, int capacity, String namePrefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("worker threads: " + threads);
        }
        queue = new HandOffQueue<>(capacity);
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker(namePrefix + (i + 1));
        }
        for (Worker worker : workers) {
            worker.thread.start();
        }
    }

    /** Queues a command; throws {@link RejectedExecutionException} when the queue is full or the workers stop. */
    @Override
    public void execute(Runnable command) {
        if (stopping || !queue.offer(command)) {
            throw new RejectedExecutionException(stopping ? "workers stopping" : "worker queue full");
        }
        if (idle.get() > 0) {
            wakeOne();
        }
    }

    private void wakeOne() {
        for (Worker worker : workers) {
            if (worker.state.compareAndSet(IDLE, WOKEN)) {
                idle.decrementAndGet();
                LockSupport.unpark(worker.thread);
                return;
            }
        }
    }

    /** Runs what is queued, then stops the threads; waits up to {@code timeout} for them. */
    void shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        stopping = true;
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Worker worker : workers) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(worker.thread, left);
            }
        }
    }

    @Override
    public void close() {
        try {
            shutdown(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Worker implements Runnable {

        final AtomicInteger state = new AtomicInteger(BUSY);
        final Thread thread;

        Worker(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                Runnable command = queue.poll();
                if (command == null) {
                    if (stopping) {
                        return;
                    }
                    command = waitForCommand();
                    if (command == null) {
                        continue; // woken (or stopping): look again
                    }
                }
                try {
                    command.run();
                } catch (Throwable t) {
                    // Commands handle their own failures; this keeps the worker alive whatever happens.
                    LOG.error("uncaught failure on a worker thread", t);
                }
            }
        }

        /** Announces this worker idle, looks once more, and parks; returns a command found on the second look. */
        private Runnable waitForCommand() {
            state.set(IDLE);
            idle.incrementAndGet();
            Runnable command = queue.poll();
            if (command != null || stopping) {
                if (state.compareAndSet(IDLE, BUSY)) {
                    idle.decrementAndGet();
                } else {
                    state.set(BUSY); // a producer woke this worker meanwhile; its unpark only makes one park return early
                }
                return command;
            }
            while (state.get() == IDLE && !stopping) {
                LockSupport.park(this);
            }
            if (state.compareAndSet(IDLE, BUSY)) {
                idle.decrementAndGet(); // stopping, not woken
            } else {
                state.set(BUSY);
            }
            return null;
        }
    }
}
