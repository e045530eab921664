package io.lunport.translation.vhd;

import io.lunport.translation.BackingChain;
import io.lunport.translation.BlockSource;
import io.lunport.translation.FileProbe;
import io.lunport.translation.ImageFormat;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.ImageIdentity;
import io.lunport.translation.blockmap.ImageFile;
import java.io.IOException;
import java.util.Arrays;

/**
 * Recognizes and opens VHD files. The name is qemu's ("vpc"), so that a qcow2 child's
 * backing-format hint finds this reader.
 *
 * <p>A dynamic or differencing disk starts with a copy of its footer; a fixed disk has the
 * footer only in its last 512 bytes (511 for some old writers).
 */
public final class VhdFormat implements ImageFormat {

    public static final String NAME = "vpc";
    public static final VhdFormat INSTANCE = new VhdFormat();

    private VhdFormat() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean recognizes(FileProbe probe) {
        int tail = probe.tail().limit();
        return VhdFooter.hasCookie(probe.head(), 0)
                || VhdFooter.hasCookie(probe.tail(), tail - VhdFooter.LENGTH)
                || VhdFooter.hasCookie(probe.tail(), tail - VhdFooter.SHORT_LENGTH);
    }

    @Override
    public BlockSource open(FileProbe probe, BackingChain chain) throws IOException {
        ImageFile file = ImageFile.open(probe.path());
        BlockSource backing = null;
        try {
            long footerOffset = footerOffset(probe);
            int footerLength = (int) Math.min(VhdFooter.LENGTH, file.size() - footerOffset);
            VhdFooter footer = VhdFooter.parse(file.readBytes(footerOffset, footerLength), file.path(), footerOffset);
            if (footer.diskType() == VhdFooter.FIXED) {
                long dataEnd = footerOffset == 0 ? file.size() : footerOffset;
                if (footer.virtualSize() > dataEnd) {
                    throw new ImageFormatException(file.path(), footerOffset + 48, "footer current size",
                            footer.virtualSize() + " bytes do not fit in the " + dataEnd + " bytes before the footer");
                }
                return new VhdBlockSource(file, footer, null, chain.context(), null, null,
                        ImageIdentity.of(file.path(), null));
            }
            VhdDynamicHeader header = readHeader(file, footer, footerOffset);
            String parentReference = null;
            if (footer.diskType() == VhdFooter.DIFFERENCING) {
                parentReference = VhdParentNames.choose(file, header);
                backing = chain.openBacking(file.path(), parentReference, null);
                checkParent(file, footer.dataOffset() + 40, header, backing);
            }
            return new VhdBlockSource(file, footer, header, chain.context(), backing, parentReference,
                    ImageIdentity.of(file.path(), backing));
        } catch (IOException | RuntimeException e) {
            file.close();
            if (backing != null) {
                backing.close();
            }
            throw e;
        }
    }

    private static long footerOffset(FileProbe probe) throws ImageFormatException {
        int tail = probe.tail().limit();
        if (VhdFooter.hasCookie(probe.head(), 0) && probe.size() >= VhdFooter.LENGTH) {
            return 0;
        }
        if (VhdFooter.hasCookie(probe.tail(), tail - VhdFooter.LENGTH)) {
            return probe.size() - VhdFooter.LENGTH;
        }
        if (VhdFooter.hasCookie(probe.tail(), tail - VhdFooter.SHORT_LENGTH)) {
            return probe.size() - VhdFooter.SHORT_LENGTH;
        }
        throw new ImageFormatException(probe.path(), Math.max(0, probe.size() - VhdFooter.LENGTH), "footer cookie",
                "'conectix' is neither at offset 0 nor in the last 512 bytes");
    }

    private static VhdDynamicHeader readHeader(ImageFile file, VhdFooter footer, long footerOffset) throws IOException {
        long at = footer.dataOffset();
        if (at < 0 || at > file.size() - VhdDynamicHeader.LENGTH) {
            throw new ImageFormatException(file.path(), footerOffset + 16, "footer data offset",
                    Long.toUnsignedString(at) + " does not leave room for the dynamic header in a file of " + file.size() + " bytes");
        }
        VhdDynamicHeader header = VhdDynamicHeader.parse(file.readBytes(at, VhdDynamicHeader.LENGTH), file.path(), at);
        long table = header.tableOffset();
        if (table < 0 || table > file.size() || header.maxTableEntries() * 4 > file.size() - table) {
            throw new ImageFormatException(file.path(), at + 16, "dynamic header table offset",
                    "BAT of " + header.maxTableEntries() + " entries at " + Long.toUnsignedString(table)
                            + " does not fit in a file of " + file.size() + " bytes");
        }
        if (header.maxTableEntries() * header.blockSize() < footer.virtualSize()) {
            throw new ImageFormatException(file.path(), at + 28, "dynamic header max table entries",
                    header.maxTableEntries() + " blocks of " + header.blockSize() + " bytes do not cover the disk size "
                            + footer.virtualSize());
        }
        return header;
    }

    /** A VHD parent must be the disk the child was made from: Windows refuses another one, so do we. */
    private static void checkParent(ImageFile file, long fieldOffset, VhdDynamicHeader header, BlockSource backing) throws ImageFormatException {
        if (backing instanceof VhdBlockSource parent && !Arrays.equals(parent.footer().uniqueId(), header.parentUniqueId())) {
            throw new ImageFormatException(file.path(), fieldOffset, "dynamic header parent unique id",
                    "does not match the unique id of the parent found at the parent locator");
        }
    }
}
