package io.lunport.translation.vmdk;

import io.lunport.translation.BackingChain;
import io.lunport.translation.BlockSource;
import io.lunport.translation.FileProbe;
import io.lunport.translation.ImageFormat;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.ImageIdentity;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.MappedBlockSource;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VMware VMDK disks: a hosted sparse file ("KDMV": monolithicSparse, streamOptimized, or
 * one extent of a split disk) or a text descriptor ("# Disk DescriptorFile") that lists
 * FLAT, SPARSE and ZERO extents in other files (monolithicFlat, twoGbMaxExtentFlat,
 * twoGbMaxExtentSparse). A delta disk names its parent in {@code parentFileNameHint}; the
 * parent opens through the chain, in whatever format it has.
 *
 * <p>Opening reads the headers and descriptor only; grain tables load on demand (see
 * {@link SparseExtent} for their cost per TB). The source is a {@link MappedBlockSource},
 * whose class comment states the locking and memory contracts. Not supported: the old
 * "COWD" sparse format (VMDK3), VMFSSPARSE and SESPARSE extents (refused by name).
 */
public final class VmdkFormat implements ImageFormat {

    public static final VmdkFormat INSTANCE = new VmdkFormat();

    private static final byte[] KDMV = {'K', 'D', 'M', 'V'};
    private static final byte[] COWD = {'C', 'O', 'W', 'D'};

    private VmdkFormat() {
    }

    @Override
    public String name() {
        return "vmdk";
    }

    @Override
    public boolean recognizes(FileProbe probe) {
        if (probe.headStartsWith(KDMV) || probe.headStartsWith(COWD)) {
            return true;
        }
        byte[] start = new byte[Math.min(probe.head().limit(), 256)];
        probe.head().duplicate().get(start);
        return Descriptor.isDescriptorText(start);
    }

    @Override
    public BlockSource open(FileProbe probe, BackingChain chain) throws IOException {
        Path path = probe.path();
        if (probe.headStartsWith(COWD)) {
            throw new ImageFormatException(path, 0, "magic", "COWD (VMDK version 3 sparse) images are not supported");
        }
        List<Closeable> files = new ArrayList<>();
        BlockSource backing = null;
        try {
            Descriptor descriptor;
            List<VmdkExtent> extents = new ArrayList<>();
            List<Path> extentFiles = new ArrayList<>();
            if (probe.headStartsWith(KDMV)) {
                ImageFile image = open(path, files);
                SparseHeader header = SparseHeader.read(image);
                descriptor = header.descriptorOffset() == 0 ? null
                        : Descriptor.parse(path, image.readStoredArray(header.descriptorOffset() * 512,
                        (int) header.descriptorSize() * 512, -1), header.descriptorOffset() * 512);
                extents.add(new SparseExtent(0, image, header, chain.context()));
            } else {
                descriptor = Descriptor.parse(path, readDescriptorFile(path, probe.size()), 0);
                long start = 0;
                for (Descriptor.ExtentLine line : descriptor.extents()) {
                    VmdkExtent extent = openExtent(path, line, start, files, chain);
                    if (!(extent instanceof ZeroExtent)) {
                        extentFiles.add(resolve(path, line.file()));
                    }
                    extents.add(extent);
                    start += extent.size();
                }
                if (extents.isEmpty()) {
                    throw new ImageFormatException(path, 0, "extent description", "the descriptor lists no extents");
                }
            }
            if (descriptor != null && descriptor.hasParent()) {
                backing = chain.openBacking(path, descriptor.parentFileNameHint(), null);
            }
            ExtentMap map = new ExtentMap(extents);
            byte[] identity = identity(path, backing, extentFiles);
            String createType = createType(descriptor, extents);
            return new MappedBlockSource("vmdk", map, backing, files, identity,
                    below -> describe(path, createType, descriptor, map, below));
        } catch (IOException | RuntimeException e) {
            if (backing != null) {
                backing.close();
            }
            for (Closeable file : files) {
                file.close();
            }
            throw e;
        }
    }

    private static ImageFile open(Path file, List<Closeable> files) throws IOException {
        ImageFile image = ImageFile.open(file);
        files.add(image);
        return image;
    }

    private static byte[] readDescriptorFile(Path path, long size) throws IOException {
        if (size > Descriptor.MAX_LENGTH) {
            throw new ImageFormatException(path, 0, "descriptor", "a descriptor file of " + size
                    + " bytes is larger than " + Descriptor.MAX_LENGTH);
        }
        return Files.readAllBytes(path);
    }

    private static Path resolve(Path descriptorFile, String name) {
        Path named = Path.of(name);
        return named.isAbsolute() ? named : descriptorFile.toAbsolutePath().getParent().resolve(named);
    }

    /** Opens the extent that {@code line} describes, starting at virtual offset {@code start}. */
    private static VmdkExtent openExtent(Path descriptorFile, Descriptor.ExtentLine line, long start,
                                         List<Closeable> files, BackingChain chain) throws IOException {
        long length = line.sectors() * 512;
        if (line.type() == Descriptor.ExtentType.ZERO) {
            return new ZeroExtent(start, length);
        }
        Path file = resolve(descriptorFile, line.file());
        if (!Files.isRegularFile(file)) {
            throw new ImageFormatException(descriptorFile, line.lineAt(), "extent file",
                    "'" + line.file() + "' does not exist (looked for " + file + ")");
        }
        ImageFile image = open(file, files);
        long fileSize = image.size();
        if (line.type() == Descriptor.ExtentType.SPARSE) {
            SparseHeader header = SparseHeader.read(image);
            if (header.capacity() != line.sectors()) {
                throw new ImageFormatException(descriptorFile, line.lineAt(), "extent size", line.sectors()
                        + " sectors, but the capacity of " + file.getFileName() + " is " + header.capacity());
            }
            return new SparseExtent(start, image, header, chain.context());
        }
        long fileStart = line.offset() * 512;
        if (fileStart + length > fileSize) {
            throw new ImageFormatException(descriptorFile, line.lineAt(), "extent size", "the extent needs "
                    + (fileStart + length) + " bytes of " + file.getFileName() + ", which has " + fileSize);
        }
        return new FlatExtent(start, length, image, fileStart);
    }

    /** The identity of the descriptor (and chain), and of every extent file, which hold the data. */
    private static byte[] identity(Path path, BlockSource backing, List<Path> extentFiles) throws IOException {
        byte[] own = ImageIdentity.of(path, backing);
        if (extentFiles.isEmpty()) {
            return own;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(own);
            for (Path file : extentFiles) {
                sha.update(ImageIdentity.of(file, null));
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static String createType(Descriptor descriptor, List<VmdkExtent> extents) {
        if (extents.size() == 1 && extents.get(0) instanceof SparseExtent sparse && sparse.header().compressed()) {
            return "streamOptimized"; // as qemu names any sparse file with deflate grains
        }
        return descriptor != null ? descriptor.createType() : "monolithicSparse";
    }

    private static SourceInfo describe(Path path, String createType, Descriptor descriptor, ExtentMap map,
                                       SourceInfo backing) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("createType", createType);
        long grainBytes = 0;
        boolean compressed = false;
        boolean allFlat = true;
        for (VmdkExtent extent : map.extents()) {
            if (extent instanceof SparseExtent sparse) {
                allFlat = false;
                grainBytes = grainBytes == 0 ? sparse.header().grainBytes() : grainBytes;
                compressed |= sparse.header().compressed();
                details.putIfAbsent("version", Integer.toString(sparse.header().version()));
            } else if (extent instanceof ZeroExtent) {
                allFlat = false;
            }
        }
        List<VmdkExtent> extents = map.extents();
        details.put("extents", Integer.toString(extents.size()));
        for (int i = 0; i < Math.min(extents.size(), 8); i++) {
            details.put("extent " + i, extents.get(i).size() / 512 + " sectors " + extents.get(i).label());
        }
        if (descriptor != null) {
            if (descriptor.cid() != null) {
                details.put("CID", descriptor.cid());
            }
            if (descriptor.hasParent()) {
                details.put("parentCID", descriptor.parentCid());
                details.put("parent", descriptor.parentFileNameHint());
            }
        }
        return new SourceInfo(path, "vmdk", map.size(), grainBytes, compressed ? "deflate" : null,
                allFlat ? map.size() : -1, details, backing);
    }
}
