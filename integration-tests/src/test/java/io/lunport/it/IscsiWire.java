package io.lunport.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately tiny iSCSI initiator over a plain {@link Socket}: enough to send hand-made
 * (and malformed) PDUs, log in without authentication, and issue one SCSI command. It is the
 * tool for hostile-input tests and for reading exact response bytes (e.g. the NAA designator
 * of VPD page 0x83, which iscsi-inq prints as raw binary). No digests, ERL 0, one connection.
 */
public final class IscsiWire implements AutoCloseable {
    public static final int BHS = 48;
    public static final int OP_NOP_OUT = 0x00, OP_SCSI_CMD = 0x01, OP_LOGIN = 0x03, OP_LOGOUT = 0x06;
    public static final int OP_NOP_IN = 0x20, OP_SCSI_RSP = 0x21, OP_LOGIN_RSP = 0x23, OP_DATA_IN = 0x25,
            OP_LOGOUT_RSP = 0x26, OP_ASYNC = 0x32, OP_REJECT = 0x3f;
    public static final int OP_TEXT = 0x04, OP_TEXT_RSP = 0x24, OP_DATA_OUT = 0x05, OP_R2T = 0x31;
    private static final int NO_TAG = 0xFFFFFFFF;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int itt = 1;
    private int cmdSn = 1;
    private int expStatSn;
    /** A command was sent one CmdSN ahead ({@link #sendAhead}): the next command fills the gap. */
    private boolean skipAfterNext;

    /** One received PDU: its 48-byte header and its data segment (padding removed). */
    public record Pdu(byte[] bhs, byte[] data) {
        public int opcode() {
            return bhs[0] & 0x3f;
        }

        public int flags() {
            return bhs[1] & 0xff;
        }

        public int u8(int at) {
            return bhs[at] & 0xff;
        }

        public int u32(int at) {
            return ByteBuffer.wrap(bhs).getInt(at);
        }

        @Override
        public String toString() {
            return String.format("PDU opcode 0x%02x flags 0x%02x b2 0x%02x b3 0x%02x status %d/%d dsl %d",
                    opcode(), flags(), u8(2), u8(3), u8(36), u8(37), data.length);
        }
    }

    /** How a connection answered something hostile. */
    public enum Outcome { CLOSED, REJECT, LOGIN_REJECTED, LOGIN_ACCEPTED, OTHER_PDU, TIMEOUT }

    public IscsiWire(String host, int port, Duration readTimeout) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout((int) readTimeout.toMillis());
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A 48-byte header with the opcode, flags and data segment length filled in. */
    public static byte[] header(int opcodeByte, int flags, int dataSegmentLength) {
        byte[] h = new byte[BHS];
        h[0] = (byte) opcodeByte;
        h[1] = (byte) flags;
        h[5] = (byte) (dataSegmentLength >>> 16);
        h[6] = (byte) (dataSegmentLength >>> 8);
        h[7] = (byte) dataSegmentLength;
        return h;
    }

    static void putInt(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).putInt(at, v);
    }

    /** Text keys as the data segment of a login/text PDU: key=value NUL ... padded to 4. */
    public static byte[] keys(Map<String, String> kv) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        kv.forEach((k, v) -> {
            b.writeBytes((k + "=" + v).getBytes(StandardCharsets.UTF_8));
            b.write(0);
        });
        return b.toByteArray();
    }

    /** A login request PDU (immediate) with the given stage transition and text data. */
    public byte[] loginPdu(int csg, int nsg, boolean transit, byte[] data) {
        byte[] h = header(0x40 | OP_LOGIN, (transit ? 0x80 : 0) | (csg << 2) | nsg, data.length);
        byte[] isid = {(byte) 0x80, 0x4c, 0x55, 0x4e, 0x00, 0x01};
        System.arraycopy(isid, 0, h, 8, 6);
        putInt(h, 16, itt++);
        putInt(h, 24, cmdSn);
        putInt(h, 28, expStatSn);
        return concat(h, pad(data));
    }

    /** Full login with AuthMethod=None: security stage, then operational stage to full feature. */
    public void login(String initiatorName, String targetName) throws IOException {
        Map<String, String> sec = new LinkedHashMap<>();
        sec.put("InitiatorName", initiatorName);
        sec.put("SessionType", "Normal");
        sec.put("TargetName", targetName);
        sec.put("AuthMethod", "None");
        send(loginPdu(0, 1, true, keys(sec)));
        Pdu r = expectLoginOk();
        int nsg = r.flags() & 0x03;
        if ((r.flags() & 0x80) == 0 || nsg != 1) {
            throw new IOException("target did not move to the operational stage: " + r + " " + text(r));
        }
        Map<String, String> op = new LinkedHashMap<>();
        op.put("HeaderDigest", "None");
        op.put("DataDigest", "None");
        op.put("MaxRecvDataSegmentLength", "65536");
        op.put("InitialR2T", "Yes");
        op.put("ImmediateData", "No");
        op.put("ErrorRecoveryLevel", "0");
        send(loginPdu(1, 3, true, keys(op)));
        r = expectLoginOk();
        if ((r.flags() & 0x80) == 0 || (r.flags() & 0x03) != 3) {
            throw new IOException("target did not move to full feature phase: " + r + " " + text(r));
        }
    }

    private Pdu expectLoginOk() throws IOException {
        Pdu r = read();
        if (r.opcode() != OP_LOGIN_RSP || r.u8(36) != 0) {
            throw new IOException("login failed: " + r + " " + text(r));
        }
        expStatSn = r.u32(24) + 1;
        cmdSn = r.u32(28); // ExpCmdSN
        return r;
    }

    public static String text(Pdu p) {
        return new String(p.data(), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    /** Sends one SCSI command reading up to {@code allocation} bytes; returns the Data-In bytes and status. */
    public record ScsiResult(int status, byte[] data) {}

    public ScsiResult scsiRead(byte[] cdb, int allocation) throws IOException {
        List<Pdu> pdus = scsiReadPdus(cdb, allocation);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Pdu p : pdus) {
            if (p.opcode() == OP_DATA_IN) {
                data.writeBytes(p.data());
            }
        }
        return new ScsiResult(pdus.get(pdus.size() - 1).u8(3), data.toByteArray());
    }

    /** Sends one read-type SCSI command; returns every Data-In PDU and the final one (status). */
    public List<Pdu> scsiReadPdus(byte[] cdb, int allocation) throws IOException {
        int myItt = itt++;
        send(commandHeader(READ, cdb, allocation, nextCmdSn(), myItt));
        List<Pdu> pdus = new ArrayList<>();
        while (true) {
            Pdu p = read();
            if ((p.opcode() == OP_DATA_IN || p.opcode() == OP_SCSI_RSP) && p.u32(16) != myItt) {
                throw new IOException("a PDU for task 0x" + Integer.toHexString(p.u32(16)) + " while waiting for 0x"
                        + Integer.toHexString(myItt) + ": " + p);
            }
            switch (p.opcode()) {
                case OP_DATA_IN -> {
                    pdus.add(p);
                    if ((p.flags() & 0x01) != 0) {
                        expStatSn = p.u32(24) + 1;
                        return pdus;
                    }
                }
                case OP_SCSI_RSP -> {
                    pdus.add(p);
                    expStatSn = p.u32(24) + 1;
                    return pdus;
                }
                case OP_NOP_IN -> { /* unsolicited ping; ignore */ }
                default -> throw new IOException("unexpected " + p);
            }
        }
    }

    /**
     * Sends a read-type command numbered one CmdSN ahead of the next, so that the target holds
     * it until the command that fills the gap arrives; returns its ITT. The next command sent
     * fills the gap, and the one after it is numbered past the held one.
     */
    public int sendAhead(byte[] cdb, int allocation) throws IOException {
        int myItt = itt++;
        send(commandHeader(READ, cdb, allocation, cmdSn + 1, myItt));
        skipAfterNext = true;
        return myItt;
    }

    /** SCSI Command flags: F with R (read) or W (write), task attribute SIMPLE. */
    private static final int READ = 0x80 | 0x40 | 0x01, WRITE = 0x80 | 0x20 | 0x01;

    private byte[] commandHeader(int flags, byte[] cdb, int expectedLength, int sn, int myItt) {
        byte[] h = header(OP_SCSI_CMD, flags, 0);
        putInt(h, 16, myItt);
        putInt(h, 20, expectedLength);
        putInt(h, 24, sn);
        putInt(h, 28, expStatSn);
        System.arraycopy(cdb, 0, h, 32, cdb.length);
        return h;
    }

    private int nextCmdSn() {
        int sn = cmdSn++;
        if (skipAfterNext) {
            cmdSn++;
            skipAfterNext = false;
        }
        return sn;
    }

    /**
     * Sends one write-type SCSI command whose data-out is {@code data}, answering the target's
     * R2Ts (the login settles InitialR2T=Yes and ImmediateData=No) with Data-Out PDUs of at most
     * 8 KiB (the RFC's smallest default). Returns the status and, for CHECK CONDITION, the sense.
     */
    public ScsiResult scsiWrite(byte[] cdb, byte[] data) throws IOException {
        int myItt = itt++;
        send(commandHeader(WRITE, cdb, data.length, nextCmdSn(), myItt));
        while (true) {
            Pdu p = read();
            switch (p.opcode()) {
                case OP_R2T -> {
                    int ttt = p.u32(20);
                    int offset = p.u32(40);
                    int length = p.u32(44);
                    int dataSn = 0;
                    for (int at = offset; at < offset + length; ) {
                        int n = Math.min(8192, offset + length - at);
                        boolean last = at + n == offset + length;
                        byte[] d = header(OP_DATA_OUT, last ? 0x80 : 0, n);
                        putInt(d, 16, myItt);
                        putInt(d, 20, ttt);
                        putInt(d, 28, expStatSn);
                        putInt(d, 36, dataSn++);
                        putInt(d, 40, at);
                        send(concat(d, pad(java.util.Arrays.copyOfRange(data, at, at + n))));
                        at += n;
                    }
                }
                case OP_SCSI_RSP -> {
                    expStatSn = p.u32(24) + 1;
                    byte[] sense = p.data().length > 2 ? java.util.Arrays.copyOfRange(p.data(), 2, p.data().length) : new byte[0];
                    return new ScsiResult(p.u8(3), sense);
                }
                case OP_NOP_IN -> { /* unsolicited ping; ignore */ }
                default -> throw new IOException("unexpected " + p);
            }
        }
    }

    /**
     * A Text Request in full feature phase with {@code kv}; follows the target's continuations
     * (F clear: ask again with its target transfer tag) and returns every key=value it answered,
     * in order.
     */
    public List<String> textRequest(Map<String, String> kv) throws IOException {
        byte[] data = keys(kv);
        int myItt = itt++;
        int ttt = NO_TAG;
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        while (true) {
            byte[] h = header(OP_TEXT, 0x80, data.length);
            putInt(h, 16, myItt);
            putInt(h, 20, ttt);
            putInt(h, 24, nextCmdSn());
            putInt(h, 28, expStatSn);
            send(concat(h, pad(data)));
            Pdu p = read();
            while (p.opcode() == OP_NOP_IN) {
                p = read();
            }
            if (p.opcode() != OP_TEXT_RSP) {
                throw new IOException("expected a Text Response: " + p);
            }
            expStatSn = p.u32(24) + 1;
            answer.writeBytes(p.data());
            if ((p.flags() & 0x80) != 0) {
                break;
            }
            ttt = p.u32(20);
            data = new byte[0];
        }
        List<String> pairs = new ArrayList<>();
        for (String pair : answer.toString(StandardCharsets.UTF_8).split("\0")) {
            if (!pair.isEmpty()) {
                pairs.add(pair);
            }
        }
        return pairs;
    }

    /**
     * Pings the target with an immediate NOP-Out and waits for its NOP-In: the target handles a
     * connection's PDUs in order, so everything sent before has then been received.
     */
    public void ping() throws IOException {
        byte[] h = sessionPdu(0x40 | OP_NOP_OUT, 0x80);
        int myItt = ByteBuffer.wrap(h).getInt(16);
        putInt(h, 20, 0xFFFFFFFF); // a ping the initiator starts carries no target transfer tag
        send(h);
        while (true) {
            Pdu p = read();
            if (p.opcode() == OP_NOP_IN && p.u32(16) == myItt) {
                return;
            }
            if (p.opcode() != OP_NOP_IN) {
                throw new IOException("unexpected " + p + " while waiting for the NOP-In of 0x" + Integer.toHexString(myItt));
            }
        }
    }

    /**
     * Answers a target's NOP-In ping: an immediate NOP-Out with ITT 0xffffffff echoing the
     * ping's target transfer tag (RFC 7143 section 11.18).
     */
    public void answerPing(Pdu ping) throws IOException {
        byte[] h = header(0x40 | OP_NOP_OUT, 0x80, 0);
        putInt(h, 16, 0xFFFFFFFF);
        putInt(h, 20, ping.u32(20));
        putInt(h, 24, cmdSn);
        putInt(h, 28, expStatSn);
        send(h);
    }

    /**
     * Logs the session out (Logout Request, reason 0 "close the session", immediate) and returns
     * the target's answer, skipping NOP-Ins and Async Messages that arrive before it.
     */
    public Pdu logout() throws IOException {
        byte[] h = header(0x40 | OP_LOGOUT, 0x80, 0);
        putInt(h, 16, itt++);
        putInt(h, 24, cmdSn);
        putInt(h, 28, expStatSn);
        send(h);
        while (true) {
            Pdu p = read();
            if (p.opcode() != OP_NOP_IN && p.opcode() != OP_ASYNC) {
                return p;
            }
        }
    }

    /** Where the next status-carrying PDU's StatSN must be: one past the last StatSN seen. */
    public int expStatSn() {
        return expStatSn;
    }

    /** Takes note of a PDU's StatSN (e.g. an Async Message the test read itself). */
    public void acknowledge(Pdu p) {
        expStatSn = p.u32(24) + 1;
    }

    /** A header-only PDU with the session's current CmdSN/ExpStatSN, for post-login probes. */
    public byte[] sessionPdu(int opcodeByte, int flags) {
        byte[] h = header(opcodeByte, flags, 0);
        putInt(h, 16, itt++);
        putInt(h, 24, cmdSn);
        putInt(h, 28, expStatSn);
        return h;
    }

    public Pdu read() throws IOException {
        byte[] bhs = new byte[BHS];
        in.readFully(bhs);
        int ahs = (bhs[4] & 0xff) * 4;
        int dsl = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
        in.skipNBytes(ahs);
        byte[] data = new byte[dsl];
        in.readFully(data);
        in.skipNBytes((4 - dsl % 4) % 4);
        return new Pdu(bhs, data);
    }

    /**
     * Reads until the target rejects, refuses the login, closes the connection, or the read
     * timeout passes. NOP-Ins are skipped.
     */
    public Outcome awaitVerdict() {
        try {
            while (true) {
                Pdu p = read();
                switch (p.opcode()) {
                    case OP_REJECT:
                        return Outcome.REJECT;
                    case OP_LOGIN_RSP:
                        return p.u8(36) == 0 ? Outcome.LOGIN_ACCEPTED : Outcome.LOGIN_REJECTED;
                    case OP_NOP_IN:
                        continue;
                    default:
                        return Outcome.OTHER_PDU;
                }
            }
        } catch (SocketTimeoutException e) {
            return Outcome.TIMEOUT;
        } catch (EOFException | SocketException e) {
            return Outcome.CLOSED;
        } catch (IOException e) {
            return Outcome.CLOSED;
        }
    }

    /** The next PDU if one arrives within {@code d}, else null; the read timeout is restored. */
    public Pdu poll(Duration d) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout((int) d.toMillis());
        try {
            return read();
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** After a Reject or login reject, the target must not keep a half-dead connection for long. */
    public boolean closedWithin(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
        long end = System.nanoTime() + d.toNanos();
        try {
            while (System.nanoTime() < end) {
                read();
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    static byte[] pad(byte[] data) {
        int padded = (data.length + 3) & ~3;
        byte[] p = new byte[padded];
        System.arraycopy(data, 0, p, 0, data.length);
        return p;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
