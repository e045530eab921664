package io.lunport.scsi;

import java.nio.ByteBuffer;

/**
 * One SCSI command as a transport hands it to the command set, and the channel through
 * which the command set gets its data-out and delivers its data-in.
 *
 * <p>The transport owns every buffer: the command set never allocates payload memory. A
 * command announces how many bytes it wants to move ({@code wanted}, from its CDB); the
 * transport compares that with the initiator's expected data transfer length to report
 * residual overflow or underflow, and hands out at most as many bytes as the initiator
 * expects.
 *
 * <p>A task is used by one thread at a time: the one executing the command.
 *
 * <p>How the command set uses it: a command that calls neither {@link #dataIn} nor
 * {@link #dataOut} wants to move 0 bytes (e.g. a transfer length of 0, or an error found
 * before any data moved). On return the data-in buffer has position 0 and its limit at the
 * last byte to send. A write whose data-out is shorter than the CDB announced writes the
 * complete blocks received and ends GOOD; the transport reports the residual.
 */
public interface ScsiTask {

    /** The logical unit number the command addresses (flat addressing, 0..16383). */
    int lun();

    /** The CDB, position 0, limit its length (6 to 16 bytes; longer with additional CDBs). */
    ByteBuffer cdb();

    /** The initiator's expected data transfer length in bytes, for either direction. */
    int expectedDataTransferLength();

    /** The initiator announced data-out (a write-type command). */
    boolean hasDataOut();

    /** The initiator expects data-in (a read-type command). */
    boolean expectsDataIn();

    /**
     * The data-out the command needs: {@code wanted} bytes by its CDB. Returns a buffer of
     * {@code min(wanted, received)} bytes at position 0. Call at most once.
     */
    ByteBuffer dataOut(int wanted);

    /**
     * A buffer for the data-in the command produces: {@code wanted} bytes by its CDB and
     * allocation length. Returns a buffer of {@code min(wanted, expectedDataTransferLength)}
     * bytes, position 0, limit = capacity, contents undefined. The command fills it from 0 to
     * its limit; what stands at the limit when the command returns is sent. Call at most once.
     */
    ByteBuffer dataIn(int wanted);

    /** Who sent the command: the I_T nexus that reservations and unit attentions key on. */
    ItNexus nexus();
}
