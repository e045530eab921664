package io.lunport.server.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The disk {@code serve --demo} offers: 64 MiB, sparse, with an MBR that holds one Linux
 * partition, so that an initiator sees a real-looking disk it may partition and format.
 * Made once in the state directory and kept, with whatever was written to it.
 */
final class DemoDisk {

    static final String NAME = "demo";
    static final long SIZE = 64L * 1024 * 1024;

    private DemoDisk() {
    }

    static Path ensure(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Path disk = stateDir.resolve("demo.img");
        if (Files.exists(disk)) {
            return disk;
        }
        Path partial = stateDir.resolve("demo.img.partial");
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(masterBootRecord(), 0);
            ByteBuffer note = ByteBuffer.wrap("lunport demo disk: writes land in this file.\n".getBytes(StandardCharsets.US_ASCII));
            ch.write(note, 512);
            ch.write(ByteBuffer.allocate(1), SIZE - 1);
            ch.force(true);
        }
        Files.move(partial, disk);
        return disk;
    }

    private static ByteBuffer masterBootRecord() {
        ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        int start = 2048;
        int sectors = (int) (SIZE / 512) - start;
        mbr.putInt(440, 0x6c756e70); // disk signature
        int entry = 446;
        mbr.put(entry + 4, (byte) 0x83); // Linux
        // CHS fields stay 0xFE/0xFF "use LBA" markers, as modern partitioners write them.
        mbr.put(entry + 1, (byte) 0xFE).put(entry + 2, (byte) 0xFF).put(entry + 3, (byte) 0xFF);
        mbr.put(entry + 5, (byte) 0xFE).put(entry + 6, (byte) 0xFF).put(entry + 7, (byte) 0xFF);
        mbr.putInt(entry + 8, start);
        mbr.putInt(entry + 12, sectors);
        mbr.put(510, (byte) 0x55).put(511, (byte) 0xAA);
        return mbr;
    }
}
