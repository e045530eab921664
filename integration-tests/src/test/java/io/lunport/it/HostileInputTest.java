package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.it.IscsiWire.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile input over a raw socket. Each must be answered (Reject, login
 * reject) or the connection dropped within a bounded time, and the server must stay up:
 * after every case a normal iscsi-inq login still works.
 */
class HostileInputTest {
    static final Duration VERDICT = Duration.ofSeconds(10);
    /** How long a connection that stalls mid-header may stay open (the server's login timeout). */
    static final Duration STALL = Duration.ofSeconds(Long.getLong("lunport.it.stallTimeoutSeconds", 30));
    static LunportProcess server;

    @BeforeAll
    static void start() {
        Path image = TestImages.holey(Itwork.dir("hostile").resolve("hostile.raw"), 16L * TestImages.MIB, 12);
        server = LunportProcess.builder("hostile").lun("h", image).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void serverStillServes() {
        assertThat(server.isAlive()).as("server process alive\n%s", server.tail()).isTrue();
        String out = Tools.check(Duration.ofSeconds(30), "iscsi-inq", server.url("h")).stdout();
        assertThat(out).containsPattern("(?m)^Vendor:LUNPORT");
    }

    private IscsiWire connect() throws Exception {
        return new IscsiWire("127.0.0.1", server.port(), VERDICT);
    }

    @Test
    void randomBytes() throws Exception {
        byte[] junk = new byte[64 * 1024];
        new Random(1234).nextBytes(junk);
        junk[0] = 0x3e; // not a login opcode: the first "PDU" is a non-login PDU before login
        try (IscsiWire w = connect()) {
            try {
                w.send(junk);
            } catch (java.io.IOException dropped) {
                return; // the server closed on us while we were still sending: a drop
            }
            assertThat(w.awaitVerdict()).isIn(Outcome.CLOSED, Outcome.REJECT, Outcome.LOGIN_REJECTED);
        }
    }

    @Test
    void loginWithSixteenMegabyteDataSegment() throws Exception {
        try (IscsiWire w = connect()) {
            byte[] login = w.loginPdu(0, 1, true, new byte[0]);
            login[5] = (byte) 0xff; // DataSegmentLength 0xFFFFFF: 16 MiB, far beyond the 8 KiB login limit
            login[6] = (byte) 0xff;
            login[7] = (byte) 0xff;
            w.send(login);
            w.send(IscsiWire.keys(java.util.Map.of("InitiatorName", "iqn.2026-11.io.lunport:hostile")));
            assertThat(w.awaitVerdict()).isIn(Outcome.CLOSED, Outcome.REJECT, Outcome.LOGIN_REJECTED);
        }
    }

    /**
     * Sixty-four WRITEs that each claim 16 MiB, with no data: the target must not set aside
     * 1 GiB for them. It solicits data (R2T) only for as many as its per-connection payload
     * budget covers and lets the rest wait.
     */
    @Test
    void writesClaimingMoreThanThePayloadBudgetWait() throws Exception {
        int commands = 64;
        int claimed = 16 << 20;
        try (IscsiWire w = connect()) {
            w.login("iqn.2026-11.io.lunport:hostile-budget", LunportProcess.iqn("h"));
            for (int i = 0; i < commands; i++) {
                byte[] cmd = w.sessionPdu(IscsiWire.OP_SCSI_CMD, 0x80 | 0x20 | 0x01); // F, W, SIMPLE
                IscsiWire.putInt(cmd, 24, java.nio.ByteBuffer.wrap(cmd).getInt(24) + i);
                IscsiWire.putInt(cmd, 20, claimed);
                cmd[32] = 0x2A; // WRITE(10), LBA 0
                cmd[39] = (byte) 0x80; // 32768 blocks of 512 bytes
                w.send(cmd);
            }
            java.util.Set<Integer> solicited = new java.util.HashSet<>();
            // Until three quiet seconds: the target has then solicited all it is going to.
            for (IscsiWire.Pdu p = w.poll(Duration.ofSeconds(3)); p != null; p = w.poll(Duration.ofSeconds(3))) {
                if (p.opcode() == 0x31) { // R2T
                    solicited.add(p.u32(16));
                }
            }
            assertThat(solicited).as("commands the target asked data for").isNotEmpty();
            assertThat((long) solicited.size() * claimed).as("payload the target set aside")
                    .isLessThanOrEqualTo(128L << 20);
        }
    }

    @Test
    void scsiCommandBeforeLogin() throws Exception {
        try (IscsiWire w = connect()) {
            byte[] cmd = IscsiWire.header(IscsiWire.OP_SCSI_CMD, 0xc1, 0);
            IscsiWire.putInt(cmd, 20, 36);
            cmd[32] = 0x12; // INQUIRY
            cmd[36] = 36;
            w.send(cmd);
            assertThat(w.awaitVerdict()).isIn(Outcome.CLOSED, Outcome.REJECT, Outcome.LOGIN_REJECTED);
        }
    }

    @Test
    void unknownOpcodeBeforeLogin() throws Exception {
        try (IscsiWire w = connect()) {
            w.send(IscsiWire.header(0x0b, 0x80, 0));
            assertThat(w.awaitVerdict()).isIn(Outcome.CLOSED, Outcome.REJECT, Outcome.LOGIN_REJECTED);
        }
    }

    @Test
    void unknownOpcodeInFullFeaturePhase() throws Exception {
        try (IscsiWire w = connect()) {
            w.login("iqn.2026-11.io.lunport:hostile", LunportProcess.iqn("h"));
            w.send(w.sessionPdu(0x0b, 0x80));
            Outcome o = w.awaitVerdict();
            assertThat(o).isIn(Outcome.CLOSED, Outcome.REJECT);
            if (o == Outcome.REJECT) {
                // A Reject keeps the session: the same connection still answers commands.
                IscsiWire.ScsiResult r = w.scsiRead(new byte[] {0x12, 0, 0, 0, 36, 0}, 36);
                assertThat(r.status()).isZero();
                assertThat(new String(r.data(), 8, 8, java.nio.charset.StandardCharsets.US_ASCII)).startsWith("LUNPORT");
            }
        }
    }

    @Test
    void halfAHeaderThenStall() throws Exception {
        try (IscsiWire w = new IscsiWire("127.0.0.1", server.port(), STALL.plusSeconds(5))) {
            byte[] login = w.loginPdu(0, 1, true, new byte[0]);
            w.send(java.util.Arrays.copyOf(login, 24));
            // While that connection hangs, other initiators are served.
            CompletableFuture<Tools.Result> other = CompletableFuture.supplyAsync(
                    () -> Tools.run(Duration.ofSeconds(30), "iscsi-inq", server.url("h")));
            Tools.Result r = other.get();
            assertThat(r.ok()).as(r.describe()).isTrue();
            long t0 = System.nanoTime();
            Outcome o = w.awaitVerdict();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(o).as("after %s", took).isIn(Outcome.CLOSED, Outcome.REJECT, Outcome.LOGIN_REJECTED);
        }
    }
}
