package io.lunport.iscsi.session;

import io.lunport.scsi.ItNexus;
import io.lunport.scsi.ScsiStatus;
import io.lunport.scsi.ScsiTask;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * One SCSI command in flight on a connection: its identity and sequence numbers, the
 * data-out it is still collecting (immediate, unsolicited, then solicited by R2T), and
 * the data-in and status the command set produced.
 *
 * <p>Threads: the event loop owns it while data is collected and while the response is
 * sent; in between, one worker thread runs the command. The hand-over happens through the
 * executor and the event loop's task queue, which publish every field.
 *
 * <p>Commands are recycled by their connection ({@link #start} readies a free one), so the
 * I/O path allocates no command objects, CDB buffers or lambdas. A command also keeps the
 * payload buffer of a transfer up to {@link #KEPT_PAYLOAD_BYTES} for the next one, with its
 * {@link ByteBuffer} view: a view of a Netty buffer is a new object each time one is made.
 */
final class ScsiCommand implements ScsiTask {

    enum State { FREE, COLLECTING_DATA, EXECUTING, DONE }

    /**
     * The largest payload buffer a command keeps between uses. With a full command window a
     * connection keeps at most {@link IscsiConnection#QUEUE_DEPTH} of them; in practice as many
     * as it has small commands in flight, each the largest it carried rounded up to a power of two.
     */
    static final int KEPT_PAYLOAD_BYTES = 64 << 10;

    private final ByteBuffer cdbBytes = ByteBuffer.allocate(16);
    private final ByteBuffer cdb = cdbBytes.asReadOnlyBuffer();
    private final ByteBufAllocator alloc;
    private final ItNexus nexus;
    /** Runs the command on a worker thread. Built once per object, so a command costs no lambda. */
    final Runnable onWorker;
    /** Finishes the command on its event loop. */
    final Runnable onEventLoop;

    private int initiatorTaskTag;
    private int cmdSn;
    private boolean immediate;
    private long lunField;
    private int lun;
    private boolean read;
    private boolean write;
    private int expectedLength;

    State state = State.FREE;
    volatile boolean aborted;

    /** Payload memory this command holds against its connection's {@link BufferBudget}. */
    long reservedPayload;

    // Data-out, owned by the event loop.
    ByteBuf dataOut;
    int received;
    int targetTransferTag;
    int nextR2tOffset;
    int outstandingR2ts;
    int r2tSn;
    int unsolicitedEnd;
    int expectedDataSn;

    /**
     * The payload buffer kept between uses (one reference is the command's), or null, and its
     * view over the whole capacity. Reused only when the command holds the last reference: the
     * channel has written and released what it was sent in.
     */
    private ByteBuf kept;
    private ByteBuffer keptView;

    // Results, written by the worker.
    private ByteBuf dataIn;
    private ByteBuffer dataInView;
    private int wantedIn;
    private int wantedOut;
    ScsiStatus status;

    ScsiCommand(ItNexus nexus, ByteBufAllocator alloc, Consumer<ScsiCommand> runOnWorker, Consumer<ScsiCommand> finish) {
        this.nexus = nexus;
        this.alloc = alloc;
        this.onWorker = () -> runOnWorker.accept(this);
        this.onEventLoop = () -> finish.accept(this);
    }

    /** Readies a free command for a new SCSI Command PDU; the CDB is copied from {@code header} bytes 32..47. */
    ScsiCommand start(int initiatorTaskTag, int cmdSn, boolean immediate, long lunField, int lun, boolean read,
                      boolean write, int expectedLength, ByteBuf header) {
        this.initiatorTaskTag = initiatorTaskTag;
        this.cmdSn = cmdSn;
        this.immediate = immediate;
        this.lunField = lunField;
        this.lun = lun;
        this.read = read;
        this.write = write;
        this.expectedLength = expectedLength;
        header.getBytes(32, cdbBytes.clear());
        state = State.COLLECTING_DATA;
        aborted = false;
        reservedPayload = 0;
        dataOut = null;
        received = 0;
        targetTransferTag = -1;
        nextR2tOffset = 0;
        outstandingR2ts = 0;
        r2tSn = 0;
        unsolicitedEnd = 0;
        expectedDataSn = 0;
        dataIn = null;
        dataInView = null;
        wantedIn = -1;
        wantedOut = -1;
        status = null;
        return this;
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
        // The command set reads the CDB by absolute index; one view per object is enough.
        return cdb.clear();
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

    /** Allocates the buffer the data-out is collected in ({@code length} bytes, from index 0). */
    void allocateDataOut(int length) {
        dataOut = payloadBuffer(length);
    }

    @Override
    public ByteBuffer dataOut(int wanted) {
        wantedOut = wanted;
        int length = Math.min(wanted, received);
        if (dataOut == null || length <= 0) {
            return ByteBuffer.allocate(0);
        }
        return view(dataOut, length);
    }

    @Override
    public ByteBuffer dataIn(int wanted) {
        wantedIn = wanted;
        int length = Math.max(0, Math.min(wanted, expectedLength));
        if (dataIn != null) {
            dataIn.release();
        }
        dataIn = payloadBuffer(Math.max(length, 1));
        dataInView = view(dataIn, length);
        return dataInView;
    }

    /**
     * A buffer of at least {@code length} bytes: the kept one when the channel is done with it
     * and it is large enough, else a new one, kept in its place when it is small enough.
     */
    private ByteBuf payloadBuffer(int length) {
        if (kept != null && kept.refCnt() == 1 && kept.capacity() >= length) {
            return kept.retain().clear(); // the reference of this use, as for a new buffer
        }
        if (length > KEPT_PAYLOAD_BYTES) {
            return alloc.directBuffer(length);
        }
        dropKept();
        // A buffer of its own, not a piece of a pooled chunk: kept for long, a piece would hold its
        // whole chunk. A power of two, so that a mix of sizes settles on one buffer soon.
        int capacity = Math.max(Integer.highestOneBit(length - 1) << 1, 4096); // length is 1..64 KiB
        kept = UnpooledByteBufAllocator.DEFAULT.directBuffer(capacity, capacity);
        keptView = kept.nioBuffer(0, kept.capacity());
        return kept.retain(); // the reference of this use; the allocation's stays with the command
    }

    /** A view of the first {@code length} bytes of {@code buf}: the kept view when it is the kept buffer. */
    private ByteBuffer view(ByteBuf buf, int length) {
        if (buf == kept) {
            return keptView.clear().limit(length);
        }
        return buf.nioBuffer(0, length);
    }

    /** Lets go of the kept buffer (the channel may still hold it until written). */
    private void dropKept() {
        if (kept != null) {
            kept.release();
            kept = null;
            keptView = null;
        }
    }

    /** The command will not be used again: frees what it kept. */
    void discard() {
        release();
        dropKept();
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

    /**
     * Gives up the buffers of this use (one reference each; the kept one stays for the next use)
     * and marks the command free for reuse; safe to call twice.
     */
    void release() {
        state = State.FREE;
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
