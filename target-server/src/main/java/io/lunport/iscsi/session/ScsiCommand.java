package io.lunport.iscsi.session;

import io.lunport.scsi.ItNexus;
import io.lunport.scsi.ScsiStatus;
import io.lunport.scsi.ScsiTask;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;

/**
 * One SCSI command in flight on a connection: its identity and sequence numbers, the
 * data-out it is still collecting (immediate, unsolicited, then solicited by R2T), and
 * the data-in and status the command set produced.
 *
 * <p>Threads: the event loop owns it while data is collected and while the response is
 * sent; in between, one worker thread runs the command. The hand-over happens through the
 * executor and the event loop's task queue, which publish every field.
 */
final class ScsiCommand implements ScsiTask {

    enum State { COLLECTING_DATA, EXECUTING, DONE }

    private final int initiatorTaskTag;
    private final int cmdSn;
    private final boolean immediate;
    private final long lunField;
    private final int lun;
    private final boolean read;
    private final boolean write;
    private final int expectedLength;
    private final ByteBuffer cdb;
    private final ItNexus nexus;
    private final ByteBufAllocator alloc;

    State state = State.COLLECTING_DATA;
    volatile boolean aborted;

    // Data-out, owned by the event loop.
    ByteBuf dataOut;
    int received;
    int targetTransferTag = -1;
    int nextR2tOffset;
    int outstandingR2ts;
    int r2tSn;
    int unsolicitedEnd;
    int expectedDataSn;

    // Results, written by the worker.
    private ByteBuf dataIn;
    private ByteBuffer dataInView;
    private int wantedIn = -1;
    private int wantedOut = -1;
    ScsiStatus status;

    ScsiCommand(int initiatorTaskTag, int cmdSn, boolean immediate, long lunField, int lun, boolean read, boolean write,
                int expectedLength, ByteBuffer cdb, ItNexus nexus, ByteBufAllocator alloc) {
        this.initiatorTaskTag = initiatorTaskTag;
        this.cmdSn = cmdSn;
        this.immediate = immediate;
        this.lunField = lunField;
        this.lun = lun;
        this.read = read;
        this.write = write;
        this.expectedLength = expectedLength;
        this.cdb = cdb;
        this.nexus = nexus;
        this.alloc = alloc;
    }

    int initiatorTaskTag() {
        return initiatorTaskTag;
    }

    int cmdSn() {
        return cmdSn;
    }

    boolean isImmediate() {
        return immediate;
    }

    long lunField() {
        return lunField;
    }

    boolean allDataReceived() {
        return received >= expectedLength || !write;
    }

    @Override
    public int lun() {
        return lun;
    }

    @Override
    public ByteBuffer cdb() {
        return cdb.duplicate();
    }

    @Override
    public int expectedDataTransferLength() {
        return expectedLength;
    }

    @Override
    public boolean hasDataOut() {
        return write;
    }

    @Override
    public boolean expectsDataIn() {
        return read;
    }

    @Override
    public ByteBuffer dataOut(int wanted) {
        wantedOut = wanted;
        int length = Math.min(wanted, received);
        if (dataOut == null || length <= 0) {
            return ByteBuffer.allocate(0);
        }
        return dataOut.nioBuffer(0, length);
    }

    @Override
    public ByteBuffer dataIn(int wanted) {
        wantedIn = wanted;
        int length = Math.max(0, Math.min(wanted, expectedLength));
        if (dataIn != null) {
            dataIn.release();
        }
        dataIn = alloc.directBuffer(Math.max(length, 1));
        dataInView = dataIn.nioBuffer(0, length);
        return dataInView;
    }

    @Override
    public ItNexus nexus() {
        return nexus;
    }

    /** The data-in to send (may be null), ownership passes to the caller. */
    ByteBuf takeDataIn() {
        ByteBuf buf = dataIn;
        dataIn = null;
        if (buf != null) {
            buf.writerIndex(Math.min(dataInView.limit(), buf.capacity()));
        }
        return buf;
    }

    /**
     * Residual for the SCSI Response or final Data-In: positive underflow, negative overflow.
     * Overflow when the CDB asked for more than the initiator expects; underflow when less
     * was moved than expected.
     */
    long residual(int transferred) {
        int wanted = read ? wantedIn : wantedOut;
        if (wanted > expectedLength) {
            return -((long) wanted - expectedLength);
        }
        int moved = read ? transferred : Math.max(wanted, 0);
        return (long) expectedLength - moved;
    }

    /** Frees every buffer the command holds; safe to call twice. */
    void release() {
        if (dataOut != null) {
            dataOut.release();
            dataOut = null;
        }
        if (dataIn != null) {
            dataIn.release();
            dataIn = null;
        }
    }
}
