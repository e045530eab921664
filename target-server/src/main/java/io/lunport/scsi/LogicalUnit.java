package io.lunport.scsi;

import io.lunport.device.BlockDevice;
import io.lunport.scsi.copy.HeldCopyResults;
import io.lunport.scsi.pr.Reservations;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A logical unit: a {@link BlockDevice} served with a logical block size, plus the SCSI state
 * that belongs to the LU (mode parameters, unit attentions, reservations, the {@link MediumLock}).
 * A device whose size is not a multiple of the block size is served without its trailing
 * partial block.
 */
public final class LogicalUnit {

    /** Windows and Linux align I/O to 4 KiB physical blocks; every device is reported so. */
    public static final int PHYSICAL_BLOCK_SIZE = 4096;

    private final BlockDevice device;
    private final int logicalBlockSize;
    private final int blockShift;
    private final long blockCount;
    private final String serialNumber;
    private final ModeParameters modeParameters = new ModeParameters();
    private final UnitAttentions unitAttentions;
    private final Reservations reservations;
    private final MediumLock mediumLock = new MediumLock();
    private final byte[] naaDesignator;
    private final HeldCopyResults copyResults = new HeldCopyResults();
    /** Set once by the server before the LU is served; read on every I/O. */
    private volatile LunStatistics statistics = LunStatistics.NONE;

    /**
     * A logical unit whose persistent reservations live in memory only (APTPL is refused).
     *
     * @param serialNumber printable ASCII, reported in VPD page 0x80
     */
    public LogicalUnit(BlockDevice device, int logicalBlockSize, String serialNumber) {
        this(device, logicalBlockSize, serialNumber, new Reservations(new UnitAttentions()));
    }

    /**
     * A logical unit whose persistent reservations are kept in {@code reservationFile} while
     * APTPL is set, and restored from it here.
     *
     * @param reservationFile null: in memory only
     * @throws IOException the file exists but is unreadable or corrupt
     */
    public LogicalUnit(BlockDevice device, int logicalBlockSize, String serialNumber, Path reservationFile)
            throws IOException {
        this(device, logicalBlockSize, serialNumber, Reservations.open(new UnitAttentions(), reservationFile));
    }

    private LogicalUnit(BlockDevice device, int logicalBlockSize, String serialNumber, Reservations reservations) {
        this.device = Objects.requireNonNull(device, "device");
        if (logicalBlockSize != 512 && logicalBlockSize != 4096) {
            throw new IllegalArgumentException("logical block size must be 512 or 4096, not " + logicalBlockSize);
        }
        if (serialNumber.isEmpty() || serialNumber.chars().anyMatch(c -> c < 0x20 || c > 0x7E)) {
            throw new IllegalArgumentException("serial number must be printable ASCII: " + serialNumber);
        }
        this.logicalBlockSize = logicalBlockSize;
        this.blockShift = Integer.numberOfTrailingZeros(logicalBlockSize);
        this.blockCount = device.size() >>> blockShift;
        this.serialNumber = serialNumber;
        this.reservations = reservations;
        this.unitAttentions = reservations.unitAttentions();
        this.naaDesignator = NaaDesignator.of(device.identity());
    }

    public BlockDevice device() {
        return device;
    }

    public int logicalBlockSize() {
        return logicalBlockSize;
    }

    /** log2 of the logical block size, so that the hot path shifts instead of multiplying. */
    public int blockShift() {
        return blockShift;
    }

    public long blockCount() {
        return blockCount;
    }

    public String serialNumber() {
        return serialNumber;
    }

    /** Logical blocks per physical block as a power of two (READ CAPACITY(16) LBPPBE). */
    public int physicalBlockExponent() {
        return Integer.numberOfTrailingZeros(PHYSICAL_BLOCK_SIZE) - blockShift;
    }

    public boolean isReadOnly() {
        return device.isReadOnly();
    }

    public ModeParameters modeParameters() {
        return modeParameters;
    }

    public UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    /** Orders the commands that change this LU's medium (see its locking contract). */
    public MediumLock mediumLock() {
        return mediumLock;
    }

    /** The LU's NAA designator (VPD page 83h): a copy. */
    public byte[] naaDesignator() {
        return naaDesignator.clone();
    }

    /** Whether {@code designator} is this LU's NAA designator; allocates nothing. */
    public boolean hasNaaDesignator(byte[] designator) {
        return Arrays.equals(naaDesignator, designator);
    }

    /** What EXTENDED COPY commands sent to this LU left for RECEIVE COPY RESULTS. */
    public HeldCopyResults copyResults() {
        return copyResults;
    }

    /** Where the command set reports this LU's I/O; {@link LunStatistics#NONE} until the server attaches one. */
    public LunStatistics statistics() {
        return statistics;
    }

    public void statistics(LunStatistics statistics) {
        this.statistics = Objects.requireNonNull(statistics, "statistics");
    }

    /** Persistent and SPC-2 reservations: shared by every nexus, session and portal of the LU. */
    public Reservations reservations() {
        return reservations;
    }
}
