package io.lunport.scsi.spc;

import io.lunport.scsi.ItNexus;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.sbc.BlockLimits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The VPD pages of INQUIRY (SPC-4 7.8, SBC-3 6.5). Page 0x00 is generated from
 * {@link #PAGES}, so it lists exactly the pages served here, in ascending order as
 * Windows requires.
 */
final class VitalProductData {

    static final int SUPPORTED_PAGES = 0x00;
    static final int UNIT_SERIAL_NUMBER = 0x80;
    static final int DEVICE_IDENTIFICATION = 0x83;
    static final int BLOCK_LIMITS = 0xB0;
    static final int BLOCK_DEVICE_CHARACTERISTICS = 0xB1;
    static final int LOGICAL_BLOCK_PROVISIONING = 0xB2;

    @FunctionalInterface
    private interface PageBuilder {
        byte[] build(LogicalUnit unit, ItNexus nexus);
    }

    /** Page code to builder, iterated in ascending order. */
    private static final SortedMap<Integer, PageBuilder> PAGES = new TreeMap<>(Map.of(
            SUPPORTED_PAGES, (unit, nexus) -> supportedPages(),
            UNIT_SERIAL_NUMBER, (unit, nexus) -> unitSerialNumber(unit),
            DEVICE_IDENTIFICATION, VitalProductData::deviceIdentification,
            BLOCK_LIMITS, (unit, nexus) -> blockLimits(unit),
            BLOCK_DEVICE_CHARACTERISTICS, (unit, nexus) -> blockDeviceCharacteristics(),
            LOGICAL_BLOCK_PROVISIONING, (unit, nexus) -> logicalBlockProvisioning(unit)));

    /** SBC-3 requires these two pages to be 0x3C long (Windows drops B1 otherwise). */
    private static final int SBC3_PAGE_LENGTH = 0x3C;

    private VitalProductData() {
    }

    static boolean isSupported(int pageCode) {
        return PAGES.containsKey(pageCode);
    }

    static byte[] page(int pageCode, LogicalUnit unit, ItNexus nexus) {
        return PAGES.get(pageCode).build(unit, nexus);
    }

    private static byte[] header(int pageCode, int pageLength) {
        byte[] p = new byte[4 + pageLength];
        p[1] = (byte) pageCode;
        p[2] = (byte) (pageLength >>> 8);
        p[3] = (byte) pageLength;
        return p;
    }

    private static byte[] supportedPages() {
        byte[] p = header(SUPPORTED_PAGES, PAGES.size());
        int i = 4;
        for (int code : PAGES.keySet()) {
            p[i++] = (byte) code;
        }
        return p;
    }

    private static byte[] unitSerialNumber(LogicalUnit unit) {
        byte[] serial = unit.serialNumber().getBytes(StandardCharsets.US_ASCII);
        byte[] p = header(UNIT_SERIAL_NUMBER, serial.length);
        System.arraycopy(serial, 0, p, 4, serial.length);
        return p;
    }

    private static byte[] deviceIdentification(LogicalUnit unit, ItNexus nexus) {
        ByteArrayOutputStream designators = new ByteArrayOutputStream();
        designator(designators, 0x01, 0x00, 0x03, unit.naaDesignator());
        designator(designators, 0x02, 0x00, 0x01,
                (StandardInquiryData.VENDOR + unit.serialNumber()).getBytes(StandardCharsets.US_ASCII));
        if (nexus != null) {
            // Target port designators: association 01b (target port), PIV set, protocol iSCSI.
            int relativePort = ReportTargetPortGroups.portId(nexus.portalGroupTag());
            designator(designators, 0x51, 0x90, 0x04, new byte[] {0, 0, (byte) (relativePort >>> 8), (byte) relativePort});
            // Target port group (type 5), association target port, no PIV: the group of this portal.
            designator(designators, 0x01, 0x10, 0x05, new byte[] {0, 0, (byte) (relativePort >>> 8), (byte) relativePort});
            designator(designators, 0x53, 0x90, 0x08,
                    scsiNameString(nexus.targetName() + ",t,0x" + hex4(nexus.portalGroupTag())));
        }
        byte[] body = designators.toByteArray();
        byte[] p = header(DEVICE_IDENTIFICATION, body.length);
        System.arraycopy(body, 0, p, 4, body.length);
        return p;
    }

    private static void designator(ByteArrayOutputStream out, int protocolAndCodeSet, int pivAssociation,
            int type, byte[] value) {
        out.write(protocolAndCodeSet);
        out.write(pivAssociation | type);
        out.write(0);
        out.write(value.length);
        out.writeBytes(value);
    }

    /** UTF-8, NUL-terminated, padded to a multiple of four bytes (SPC-4 7.8.6.11). */
    private static byte[] scsiNameString(String name) {
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(text, (text.length + 4) & ~3);
    }

    private static String hex4(int value) {
        String hex = Integer.toHexString(value & 0xFFFF);
        return "0000".substring(hex.length()) + hex;
    }

    private static byte[] blockLimits(LogicalUnit unit) {
        byte[] p = header(BLOCK_LIMITS, SBC3_PAGE_LENGTH);
        int granularity = 1 << unit.physicalBlockExponent();
        p[5] = (byte) BlockLimits.MAX_COMPARE_AND_WRITE_BLOCKS;
        p[4] = 0x01; // WSNZ: a WRITE SAME of 0 blocks is refused, not "to the end of the medium"
        putShort(p, 6, granularity);
        putInt(p, 8, BlockLimits.maxTransferBlocks(unit));
        putInt(p, 12, BlockLimits.optimalTransferBlocks(unit));
        if (unit.device().supportsDeallocate()) {
            putInt(p, 20, BlockLimits.MAX_UNMAP_BLOCKS);
            putInt(p, 24, BlockLimits.MAX_UNMAP_DESCRIPTORS);
            putInt(p, 28, granularity);
        }
        putInt(p, 40, BlockLimits.maxWriteSameBlocks(unit)); // MAXIMUM WRITE SAME LENGTH (bytes 36..43)
        // WRITE ATOMIC(16): MAXIMUM ATOMIC TRANSFER LENGTH, ATOMIC ALIGNMENT, ATOMIC TRANSFER LENGTH
        // GRANULARITY; bytes 56..63 (atomic boundaries) stay 0: none supported.
        putInt(p, 44, BlockLimits.maxAtomicTransferBlocks(unit));
        putInt(p, 48, BlockLimits.atomicGranularityBlocks(unit));
        putInt(p, 52, BlockLimits.atomicGranularityBlocks(unit));
        return p;
    }

    private static byte[] blockDeviceCharacteristics() {
        byte[] p = header(BLOCK_DEVICE_CHARACTERISTICS, SBC3_PAGE_LENGTH);
        putShort(p, 4, 1); // MEDIUM ROTATION RATE 1: non-rotating medium
        return p;
    }

    private static byte[] logicalBlockProvisioning(LogicalUnit unit) {
        byte[] p = header(LOGICAL_BLOCK_PROVISIONING, 4);
        if (unit.device().supportsDeallocate()) {
            // LBPU (UNMAP), LBPWS (WRITE SAME(16) with UNMAP), LBPWS10, LBPRZ: deallocated blocks read as zeros
            p[5] = (byte) (0x80 | 0x40 | 0x20 | 0x04);
            p[6] = 0x02; // provisioning type: thin
        }
        return p;
    }

    static void putShort(byte[] b, int index, int value) {
        b[index] = (byte) (value >>> 8);
        b[index + 1] = (byte) value;
    }

    static void putInt(byte[] b, int index, long value) {
        b[index] = (byte) (value >>> 24);
        b[index + 1] = (byte) (value >>> 16);
        b[index + 2] = (byte) (value >>> 8);
        b[index + 3] = (byte) value;
    }
}
