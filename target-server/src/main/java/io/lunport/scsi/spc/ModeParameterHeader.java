package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.command.Cdb;
import java.nio.ByteBuffer;

/**
 * The mode parameter header and block descriptor of the 6- and 10-byte forms (SPC-4 7.5.4,
 * 7.5.5, SBC-3 6.4.2), built for MODE SENSE and parsed for MODE SELECT.
 */
enum ModeParameterHeader {
    SIX(4),
    TEN(8);

    /** Device-specific parameter: WP (read-only LU), DPOFUA (READ/WRITE honour DPO and FUA). */
    private static final int WP = 0x80;
    private static final int DPOFUA = 0x10;
    private static final int SHORT_DESCRIPTOR = 8;
    private static final int LONG_DESCRIPTOR = 16;

    final int length;

    ModeParameterHeader(int length) {
        this.length = length;
    }

    byte[] build(LogicalUnit unit, boolean withDescriptor, boolean longLba, byte[] pages) {
        int descriptorLength = !withDescriptor ? 0 : longLba ? LONG_DESCRIPTOR : SHORT_DESCRIPTOR;
        byte[] d = new byte[length + descriptorLength + pages.length];
        ByteBuffer b = ByteBuffer.wrap(d);
        int deviceSpecific = (unit.isReadOnly() ? WP : 0) | DPOFUA;
        if (this == SIX) {
            d[0] = (byte) (d.length - 1);
            d[2] = (byte) deviceSpecific;
            d[3] = (byte) descriptorLength;
        } else {
            b.putShort(0, (short) (d.length - 2));
            d[3] = (byte) deviceSpecific;
            d[4] = (byte) (longLba ? 0x01 : 0);
            b.putShort(6, (short) descriptorLength);
        }
        if (descriptorLength == SHORT_DESCRIPTOR) {
            b.putInt(length, (int) Math.min(unit.blockCount(), 0xFFFF_FFFFL));
            b.putInt(length + 4, unit.logicalBlockSize()); // density code 0 in the top byte
        } else if (descriptorLength == LONG_DESCRIPTOR) {
            b.putLong(length, unit.blockCount());
            b.putInt(length + 12, unit.logicalBlockSize());
        }
        System.arraycopy(pages, 0, d, length + descriptorLength, pages.length);
        return d;
    }

    /**
     * Checks a MODE SELECT header and block descriptor against the LU (capacity and block
     * length cannot be changed) and returns where the pages start.
     */
    int parse(ByteBuffer params, LogicalUnit unit) throws ScsiException {
        int descriptorLength = this == SIX ? Cdb.u8(params, 3) : Cdb.u16(params, 6);
        boolean longLba = this == TEN && Cdb.bit(params, 4, 0);
        int descriptorIndex = this == SIX ? 3 : 6;
        if (descriptorLength != 0 && descriptorLength != (longLba ? LONG_DESCRIPTOR : SHORT_DESCRIPTOR)) {
            throw ScsiException.invalidParameterField(descriptorIndex, -1);
        }
        if (params.limit() < length + descriptorLength) {
            throw ModeSelect.parameterListLengthError();
        }
        if (descriptorLength > 0) {
            long blocks = longLba ? Cdb.u64(params, length) : Cdb.u32(params, length);
            long current = longLba ? unit.blockCount() : Math.min(unit.blockCount(), 0xFFFF_FFFFL);
            // Zero leaves the capacity as it is (SBC-3 6.4.2).
            if (blocks != 0 && blocks != current) {
                throw ScsiException.invalidParameterField(length, -1);
            }
            int blockLengthIndex = longLba ? length + 12 : length + 5;
            long blockLength = longLba ? Cdb.u32(params, blockLengthIndex) : Cdb.u24(params, blockLengthIndex);
            if (blockLength != unit.logicalBlockSize()) {
                throw ScsiException.invalidParameterField(blockLengthIndex, -1);
            }
        }
        return length + descriptorLength;
    }
}
