package io.lunport.scsi.sbc;

import io.lunport.scsi.command.Cdb;
import java.nio.ByteBuffer;

/**
 * Where the LBA and the transfer length sit in the 6-, 10-, 12- and 16-byte forms of a block
 * command (SBC-3 5.x), so that each command family has one implementation for all forms.
 *
 * @param hasFlags byte 1 carries the protection field and DPO/FUA (every form but the 6-byte one)
 */
public record BlockCdbLayout(int lbaIndex, int lbaLength, int lengthIndex, int lengthLength, boolean hasFlags) {

    public static final BlockCdbLayout SIX = new BlockCdbLayout(1, 3, 4, 1, false);
    public static final BlockCdbLayout TEN = new BlockCdbLayout(2, 4, 7, 2, true);
    public static final BlockCdbLayout TWELVE = new BlockCdbLayout(2, 4, 6, 4, true);
    public static final BlockCdbLayout SIXTEEN = new BlockCdbLayout(2, 8, 10, 4, true);

    /** The 6-byte form keeps only 21 LBA bits; the top three bits of byte 1 are reserved. */
    private static final long SIX_LBA_MASK = 0x1F_FFFFL;

    /** Unsigned; for the 16-byte form compare with {@link Long#compareUnsigned}. */
    public long lba(ByteBuffer cdb) {
        long lba = Cdb.field(cdb, lbaIndex, lbaLength);
        return hasFlags ? lba : lba & SIX_LBA_MASK;
    }

    /** In blocks. In the 6-byte form 0 means 256 (SBC-3 5.15). */
    public long transferLength(ByteBuffer cdb) {
        long length = Cdb.field(cdb, lengthIndex, lengthLength);
        return !hasFlags && length == 0 ? 256 : length;
    }
}
