package io.lunport.scsi;

import io.lunport.device.BlockDevice;
import java.util.Objects;

/**
 * A logical unit: a {@link BlockDevice} served with a logical block size, plus the SCSI state
 * that belongs to the LU (mode parameters, unit attentions, the {@link MediumLock}). A device
 * whose size is not a multiple of the block size is served without its trailing partial block.
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
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final MediumLock mediumLock = new MediumLock();

    /**
     * @param serialNumber printable ASCII, reported in VPD page 0x80
     */
    public LogicalUnit(BlockDevice device, int logicalBlockSize, String serialNumber) {
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
}
