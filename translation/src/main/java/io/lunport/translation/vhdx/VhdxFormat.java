package io.lunport.translation.vhdx;

import io.lunport.translation.BackingChain;
import io.lunport.translation.BlockSource;
import io.lunport.translation.FileProbe;
import io.lunport.translation.ImageFormat;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.ImageIdentity;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.ParentPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Recognizes VHDX files by their identifier ("vhdxfile" at offset 0) and opens them: the
 * current header, a pending log replayed in memory, the region table, the metadata items,
 * and for a differencing disk the parent through its locator.
 */
public final class VhdxFormat implements ImageFormat {

    public static final String NAME = "vhdx";
    public static final VhdxFormat INSTANCE = new VhdxFormat();
    public static final byte[] IDENTIFIER = "vhdxfile".getBytes(StandardCharsets.US_ASCII);
    /** Headers and region tables occupy the first MiB; nothing else may. */
    public static final long HEADER_SECTION = 1L << 20;

    private VhdxFormat() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean recognizes(FileProbe probe) {
        return probe.headStartsWith(IDENTIFIER);
    }

    @Override
    public BlockSource open(FileProbe probe, BackingChain chain) throws IOException {
        ImageFile file = ImageFile.open(probe.path());
        BlockSource backing = null;
        try {
            VhdxHeader header = currentHeader(file);
            boolean replayed = false;
            if (header.hasPendingLog()) {
                file = VhdxLogReplay.replay(file, header);
                replayed = true;
            }
            VhdxRegionTable regions = regionTable(file);
            VhdxRegionTable.Entry bat = region(file, regions, VhdxRegionTable.BAT, "BAT region");
            VhdxRegionTable.Entry meta = region(file, regions, VhdxRegionTable.METADATA, "metadata region");
            for (VhdxRegionTable.Entry e : regions.entries()) {
                if (e.required() && !e.guid().equals(VhdxRegionTable.BAT) && !e.guid().equals(VhdxRegionTable.METADATA)) {
                    throw new ImageFormatException(file.path(), VhdxRegionTable.TABLE1_OFFSET, "region table entry",
                            "required region " + e.guid() + " is unknown");
                }
            }
            VhdxMetadata metadata = VhdxMetadataReader.read(file, meta);
            long needed = metadata.batEntries() * VhdxBatEntry.LENGTH;
            if (bat.length() < needed) {
                throw new ImageFormatException(file.path(), VhdxRegionTable.TABLE1_OFFSET, "BAT region length",
                        bat.length() + " bytes hold fewer than the " + metadata.batEntries() + " entries the disk needs");
            }
            String parentReference = null;
            if (metadata.fileParameters().hasParent()) {
                parentReference = parentReference(file, metadata.parentLocator());
                backing = chain.openBacking(file.path(), parentReference, null);
                checkLinkage(file, metadata.parentLocator(), backing);
            }
            return new VhdxBlockSource(file, header, metadata, meta, bat, chain.context(), backing, parentReference,
                    ImageIdentity.of(file.path(), backing), replayed);
        } catch (IOException | RuntimeException e) {
            file.close();
            if (backing != null) {
                backing.close();
            }
            throw e;
        }
    }

    private static VhdxHeader currentHeader(ImageFile file) throws IOException {
        VhdxHeader first = null;
        VhdxHeader second = null;
        ImageFormatException problem = null;
        try {
            first = VhdxHeader.parse(file.readBytes(VhdxHeader.HEADER1_OFFSET, VhdxHeader.LENGTH), file.path(), VhdxHeader.HEADER1_OFFSET);
        } catch (ImageFormatException e) {
            problem = e;
        }
        try {
            second = VhdxHeader.parse(file.readBytes(VhdxHeader.HEADER2_OFFSET, VhdxHeader.LENGTH), file.path(), VhdxHeader.HEADER2_OFFSET);
        } catch (ImageFormatException e) {
            problem = problem == null ? e : problem;
        }
        VhdxHeader current = VhdxHeader.current(first, second);
        if (current == null) {
            throw problem;
        }
        return current;
    }

    /** Table 1, or its copy when table 1 is damaged. */
    private static VhdxRegionTable regionTable(ImageFile file) throws IOException {
        try {
            return VhdxRegionTable.parse(file.readBytes(VhdxRegionTable.TABLE1_OFFSET, VhdxRegionTable.LENGTH), file.path(),
                    VhdxRegionTable.TABLE1_OFFSET);
        } catch (ImageFormatException first) {
            try {
                return VhdxRegionTable.parse(file.readBytes(VhdxRegionTable.TABLE2_OFFSET, VhdxRegionTable.LENGTH),
                        file.path(), VhdxRegionTable.TABLE2_OFFSET);
            } catch (ImageFormatException second) {
                throw first;
            }
        }
    }

    private static VhdxRegionTable.Entry region(ImageFile file, VhdxRegionTable table, VhdxGuid guid, String name)
            throws ImageFormatException {
        VhdxRegionTable.Entry e = table.find(guid).orElseThrow(() -> new ImageFormatException(file.path(),
                VhdxRegionTable.TABLE1_OFFSET, name, "missing from the region table"));
        if (e.fileOffset() < HEADER_SECTION || e.length() <= 0 || e.fileOffset() > file.size() - e.length()) {
            throw new ImageFormatException(file.path(), VhdxRegionTable.TABLE1_OFFSET, name + " offset",
                    e.length() + " bytes at " + Long.toUnsignedString(e.fileOffset())
                            + " are not inside the file (" + file.size() + " bytes) after its first MiB");
        }
        return e;
    }

    private static String parentReference(ImageFile file, VhdxParentLocator locator) throws ImageFormatException {
        if (!locator.type().equals(VhdxParentLocator.VHDX_TYPE)) {
            throw new ImageFormatException(file.path(), 0, "parent locator type", locator.type() + " is not the VHDX locator type");
        }
        List<String> candidates = ParentPaths.localCandidates(locator.pathCandidates());
        if (candidates.isEmpty()) {
            throw new ImageFormatException(file.path(), 0, "parent locator",
                    "has none of relative_path, volume_path, absolute_win32_path");
        }
        return ParentPaths.choose(file.path(), candidates);
    }

    /** The parent must be the disk the child was made from: its DataWriteGuid is the child's parent_linkage. */
    private static void checkLinkage(ImageFile file, VhdxParentLocator locator, BlockSource backing) throws ImageFormatException {
        String linkage = locator.entries().get("parent_linkage");
        if (backing instanceof VhdxBlockSource parent && linkage != null) {
            String actual = parent.header().dataWriteGuid().braced();
            String alternative = locator.entries().get("parent_linkage2");
            if (!linkage.equalsIgnoreCase(actual) && (alternative == null || !alternative.equalsIgnoreCase(actual))) {
                throw new ImageFormatException(file.path(), 0, "parent locator parent_linkage",
                        linkage + " is not the parent's data write GUID " + actual);
            }
        }
    }
}
