package io.lunport.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.DirectFileBlockDevice;
import io.lunport.iscsi.login.LoginThrottle;
import io.lunport.iscsi.pdu.Opcode;
import io.lunport.iscsi.pdu.PduFrameDecoder;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTargetDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot path rule, measured on our own pipeline: 4 KiB READ(10)s and WRITE(10)s with
 * immediate data, framed by the real {@link PduFrameDecoder}, sequenced and answered by the real
 * {@link IscsiConnection}, run by the real SCSI device on a raw file. The worker executor runs
 * commands on the calling thread, so that one thread's allocation counter sees the whole path:
 * decode, dispatch, hand-off, execution, Data-In / SCSI Response.
 */
class CommandPathAllocationTest {

    private static final String TARGET = "iqn.2026-11.io.lunport:alloc";
    private static final int BLOCK = 512;
    private static final int COMMANDS = 10_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    private ResourceLeakDetector.Level leakLevel;
    private EmbeddedChannel channel;
    private ScsiTargetDevice device;
    private int cmdSn;
    private int itt;
    private int statSn;
    /** Every command's PDUs, laid out once: sending them allocates nothing in the test itself. */
    private ByteBuf commands;
    /** Where the next batch starts in {@link #commands}. */
    private int cursor;
    private Path image;

    @BeforeEach
    void loggedIn() throws Exception {
        // Netty's leak sampling records a stack trace now and then: not ours to measure.
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        byte[] content = new byte[4 << 20];
        new Random(7).nextBytes(content);
        image = Files.write(dir.resolve("disk.raw"), content);
        device = new ScsiTargetDevice(Map.of(0, new LogicalUnit(DirectFileBlockDevice.open(image), BLOCK, "SN0001")));
        TargetRegistry targets = new TargetRegistry();
        targets.add(new IscsiTarget(TARGET, null, null, null, Set.of(), device));
        PduFrameDecoder decoder = new PduFrameDecoder();
        IscsiConnection connection = new IscsiConnection(targets, new SessionRegistry(), new LoginThrottle(),
                new Portal(new InetSocketAddress("127.0.0.1", 3260), 1), Runnable::run, decoder, SessionEvents.NONE);
        channel = new EmbeddedChannel(decoder, connection) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 50_000); // the login throttle keys on it
            }
        };
        String keys = "InitiatorName=iqn.2026-11.io.lunport:test\0SessionType=Normal\0TargetName=" + TARGET
                + "\0HeaderDigest=None\0DataDigest=None\0ImmediateData=Yes\0";
        ByteBuf login = header(Opcode.LOGIN_REQUEST | 0x40, 0x80 | (1 << 2) | 3, keys.length(), 0, 0);
        login.setShort(8, 0x8000).setInt(10, 1); // ISID
        channel.writeInbound(Unpooled.wrappedBuffer(login, padded(keys.getBytes(StandardCharsets.UTF_8))));
        ByteBuf response = channel.readOutbound();
        assertThat(response.getByte(0) & 0x3F).isEqualTo(Opcode.LOGIN_RESPONSE);
        assertThat(response.getShort(36)).as("login status").isZero();
        statSn = response.getInt(24) + 1;
        drainOutbound(response);
    }

    @AfterEach
    void close() throws Exception {
        if (commands != null) {
            commands.release();
        }
        channel.finishAndReleaseAll();
        device.close();
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    void readsAndWritesAllocateNothingPerCommand() throws Exception {
        commands = Unpooled.directBuffer();
        ByteBuf payload = Unpooled.buffer(4096).writeZero(4096);
        for (int i = 0; i < 2 * COMMANDS; i++) {
            long lba = (i * 8L) % 8192;
            boolean write = i % 2 == 1;
            // SCSI Command: F, R or W; EDTL 4 KiB; READ(10) / WRITE(10) of 8 blocks.
            ByteBuf h = header(Opcode.SCSI_COMMAND, 0x80 | (write ? 0x20 : 0x40), write ? 4096 : 0, 0, 4096);
            h.setByte(32, write ? 0x2A : 0x28).setInt(34, (int) lba).setShort(39, 8);
            commands.writeBytes(h);
            h.release();
            if (write) {
                commands.writeBytes(payload, 0, 4096);
            }
        }
        payload.release();

        // On a FastThreadLocalThread, as on an event loop: Netty recycles its per-write objects
        // (ChannelOutboundBuffer entries) only on such threads.
        FutureTask<Long> measured = new FutureTask<>(() -> {
            runCommands(COMMANDS / 2); // warm up: JIT, pools, the connection's free commands
            long before = THREADS.getCurrentThreadAllocatedBytes();
            runCommands(COMMANDS);
            return THREADS.getCurrentThreadAllocatedBytes() - before;
        });
        new FastThreadLocalThread(measured, "alloc-test").start();
        long allocated = measured.get(60, TimeUnit.SECONDS);

        // Nothing per command: a few bytes in all for the measurement's own bookkeeping. Before
        // the connection reused its PDU view, kept CmdSNs unboxed, answered in the data-in buffer
        // itself and let commands keep their payload buffers, this path took 298 bytes a command.
        assertThat(allocated / (double) COMMANDS).as("bytes allocated per command, %d commands", COMMANDS)
                .isLessThan(16);
    }

    /** Sends {@code n} commands (half reads, half writes) in batches of 32 and checks every answer. */
    private void runCommands(int n) {
        int perBatch = 32;
        for (int sent = 0; sent < n; sent += perBatch) {
            if (cursor == commands.writerIndex()) {
                cursor = 0;
            }
            int start = cursor;
            for (int k = 0; k < perBatch; k++) {
                boolean write = commands.getByte(cursor + 1) == (byte) 0xA0;
                // ITT, CmdSN and ExpStatSN are stamped now, so that every round uses fresh ones.
                commands.setInt(cursor + 16, itt++);
                commands.setInt(cursor + 24, cmdSn++);
                commands.setInt(cursor + 28, statSn);
                cursor += 48 + (write ? 4096 : 0);
            }
            channel.writeInbound(commands.retainedSlice(start, cursor - start));
            channel.runPendingTasks();
            for (int k = 0; k < perBatch; k++) {
                ByteBuf header = channel.readOutbound();
                int opcode = header.getByte(0) & 0x3F;
                if (opcode == Opcode.DATA_IN) {
                    check((header.getByte(1) & 0x01) != 0, "no status in the Data-In");
                    ByteBuf data = channel.readOutbound();
                    check(data.readableBytes() == 4096, "Data-In segment not 4 KiB");
                    data.release();
                } else {
                    check(opcode == Opcode.SCSI_RESPONSE, "neither Data-In nor SCSI Response");
                }
                check(header.getByte(3) == 0, "status not GOOD");
                statSn = header.getInt(24) + 1;
                header.release();
            }
            check(channel.readOutbound() == null, "more PDUs than commands");
        }
    }

    /** Checks in the measured loop: AssertJ would allocate an assertion object per check. */
    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }

    /** A 48-byte initiator header: opcode, flags, data segment length, LUN 0, EDTL at 20. */
    private ByteBuf header(int opcode, int flags, int dataLength, int lun, int edtl) {
        ByteBuf h = Unpooled.buffer(48).writeZero(48);
        h.setByte(0, opcode).setByte(1, flags).setMedium(5, dataLength).setLong(8, lun).setInt(20, edtl);
        h.setInt(24, cmdSn).setInt(28, statSn);
        return h;
    }

    private static ByteBuf padded(byte[] data) {
        return Unpooled.buffer().writeBytes(data).writeZero(PduFrameDecoder.padding(data.length));
    }

    private void drainOutbound(Object first) {
        ReferenceCountUtil.release(first);
        Object next;
        while ((next = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(next);
        }
    }
}
