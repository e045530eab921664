package io.lunport.scsi;

import java.nio.ByteBuffer;

/**
 * A {@link ScsiTask} over heap buffers, behaving as the transport promises: data-in is cut to
 * the expected transfer length, data-out to what the initiator "sent".
 */
final class TestTask implements ScsiTask {

    static final ItNexus NEXUS_A = new ItNexus("iqn.2026-01.test:a", 0x400001370001L, "iqn.2026-11.io.lunport:t", 1);
    static final ItNexus NEXUS_B = new ItNexus("iqn.2026-01.test:b", 0x400001370002L, "iqn.2026-11.io.lunport:t", 1);

    private final int lun;
    private final ByteBuffer cdb;
    private final int expected;
    private final byte[] sent;
    private final ItNexus nexus;
    private ByteBuffer dataIn;
    int wantedIn = -1;
    int wantedOut = -1;

    private TestTask(int lun, byte[] cdb, int expected, byte[] sent, ItNexus nexus) {
        this.lun = lun;
        this.cdb = ByteBuffer.wrap(cdb);
        this.expected = expected;
        this.sent = sent;
        this.nexus = nexus;
    }

    static TestTask in(int lun, int expected, int... cdb) {
        return new TestTask(lun, bytes(cdb), expected, null, NEXUS_A);
    }

    static TestTask out(int lun, byte[] data, int... cdb) {
        return new TestTask(lun, bytes(cdb), data.length, data, NEXUS_A);
    }

    TestTask from(ItNexus other) {
        return new TestTask(lun, cdb.array(), expected, sent, other);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** What the command delivered: position 0 to limit of the data-in buffer. */
    byte[] dataInBytes() {
        if (dataIn == null) {
            return new byte[0];
        }
        byte[] b = new byte[dataIn.limit()];
        dataIn.get(0, b);
        return b;
    }

    @Override
    public int lun() {
        return lun;
    }

    @Override
    public ByteBuffer cdb() {
        return cdb;
    }

    @Override
    public int expectedDataTransferLength() {
        return expected;
    }

    @Override
    public boolean hasDataOut() {
        return sent != null;
    }

    @Override
    public boolean expectsDataIn() {
        return sent == null;
    }

    @Override
    public ByteBuffer dataOut(int wanted) {
        wantedOut = wanted;
        int n = Math.min(wanted, sent == null ? 0 : sent.length);
        return ByteBuffer.wrap(sent == null ? new byte[0] : sent, 0, n).slice();
    }

    @Override
    public ByteBuffer dataIn(int wanted) {
        wantedIn = wanted;
        dataIn = ByteBuffer.allocate(Math.min(wanted, expected));
        return dataIn;
    }

    @Override
    public ItNexus nexus() {
        return nexus;
    }
}
