package io.lunport.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The hand-off from event loops to worker threads: every command runs once, none is lost to a sleeping pool. */
class CommandWorkersTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void everyCommandFromManyProducersRunsExactlyOnce() throws Exception {
        int producers = 4;
        int perProducer = 50_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(producers * perProducer);
        CountDownLatch done = new CountDownLatch(producers * perProducer);
        try (CommandWorkers workers = new CommandWorkers(3, 1 << 16, "test-worker-")) {
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int base = p * perProducer;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        int id = base + i;
                        Runnable command = () -> {
                            runs.incrementAndGet(id);
                            done.countDown();
                        };
                        while (true) {
                            try {
                                workers.execute(command);
                                break;
                            } catch (RejectedExecutionException full) {
                                Thread.onSpinWait();
                            }
                        }
                        if (i % 1000 == 0) {
                            // Pauses let the workers run dry and park, so that waking them is exercised.
                            LockSupport.parkNanos(200_000);
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("every command ran (none stranded with the workers parked)").isTrue();
        }
        for (int i = 0; i < runs.length(); i++) {
            assertThat(runs.get(i)).as("runs of command %d", i).isEqualTo(1);
        }
    }

    @Test
    void aLoneCommandAfterTheWorkersWentIdleStillRuns() throws Exception {
        try (CommandWorkers workers = new CommandWorkers(2, 16, "test-worker-")) {
            for (int round = 0; round < 200; round++) {
                CountDownLatch ran = new CountDownLatch(1);
                LockSupport.parkNanos(round % 10 == 0 ? 2_000_000 : 10_000); // idle, parked or about to
                workers.execute(ran::countDown);
                assertThat(ran.await(10, TimeUnit.SECONDS)).as("round %d", round).isTrue();
            }
        }
    }

    @Test
    void aFullQueueRefusesInsteadOfGrowing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (CommandWorkers workers = new CommandWorkers(1, 4, "test-worker-")) {
            workers.execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 4; i++) {
                workers.execute(() -> { });
            }
            assertThatThrownBy(() -> workers.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
            release.countDown();
        }
    }

    @Test
    void handingOverAllocatesNothing() throws Exception {
        int commands = 100_000;
        CountDownLatch[] done = {new CountDownLatch(commands)};
        Runnable command = () -> done[0].countDown();
        try (CommandWorkers workers = new CommandWorkers(2, 1 << 17, "test-worker-")) {
            submit(workers, command, commands); // warm up
            assertThat(done[0].await(30, TimeUnit.SECONDS)).isTrue();
            done[0] = new CountDownLatch(commands);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            submit(workers, command, commands);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertThat(done[0].await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(allocated).as("bytes the producer allocated for %d hand-offs", commands).isLessThan(1024);
        }
    }

    private static void submit(CommandWorkers workers, Runnable command, int n) {
        for (int i = 0; i < n; i++) {
            while (true) {
                try {
                    workers.execute(command);
                    break;
                } catch (RejectedExecutionException full) {
                    Thread.onSpinWait(); // not in the measured runs: the queue holds them all
                }
            }
        }
    }
}
