package io.lunport.translation.vdi;

import io.lunport.translation.BackingChain;
import io.lunport.translation.BlockSource;
import io.lunport.translation.FileProbe;
import io.lunport.translation.ImageFormat;
import io.lunport.translation.ImageIdentity;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.MappedBlockSource;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VirtualBox VDI images, dynamic and static: recognized by the signature {@code 0xbeda107f}
 * at offset 0x40. Opening reads the 512-byte header only; the block map loads in pages on
 * demand (see {@link VdiBlockMap}). The resulting source is a {@link MappedBlockSource},
 * whose class comment states the locking and memory contracts.
 */
public final class VdiFormat implements ImageFormat {

    public static final VdiFormat INSTANCE = new VdiFormat();

    private VdiFormat() {
    }

    @Override
    public String name() {
        return "vdi";
    }

    @Override
    public boolean recognizes(FileProbe probe) {
        return VdiHeader.hasSignature(probe.head());
    }

    @Override
    public BlockSource open(FileProbe probe, BackingChain chain) throws IOException {
        VdiHeader header = VdiHeader.parse(probe.path(), probe.head(), probe.size());
        ImageFile file = ImageFile.open(probe.path());
        try {
            VdiBlockMap map = new VdiBlockMap(file, header, chain.context());
            return new MappedBlockSource("vdi", map, null, List.of(file), ImageIdentity.of(probe.path(), null),
                    backing -> describe(probe, header));
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static SourceInfo describe(FileProbe probe, VdiHeader header) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("type", header.typeName());
        details.put("version", "1.1");
        details.put("blocks", Integer.toString(header.blocks()));
        details.put("blocks allocated", Integer.toString(header.blocksAllocated()));
        details.put("block map offset", Long.toString(header.blockMapOffset()));
        details.put("data offset", Long.toString(header.dataOffset()));
        long allocated = Math.min(header.diskSize(), (long) header.blocksAllocated() * header.blockSize());
        return new SourceInfo(probe.path(), "vdi", header.diskSize(), header.blockSize(), null, allocated,
                details, null);
    }
}
