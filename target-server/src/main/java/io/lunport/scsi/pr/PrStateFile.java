package io.lunport.scsi.pr;

import io.lunport.scsi.ItNexus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The file that keeps a logical unit's persistent reservations across restarts while APTPL
 * is set (SPC-4 5.13.5). Written whole on every change: to a temporary file in the same
 * directory, forced to disk, renamed over the old one, and the directory forced, so that a
 * crash leaves either the old or the new state, never a mix.
 *
 * <p>Layout (big-endian): magic "LPPR", version, PRgeneration, APTPL, reservation type code
 * (0: none), holder nexus if the type has one, registration count, registrations (nexus, key,
 * ALL_TG_PT), and a CRC-32 of everything before it. A file that does not parse or whose CRC
 * does not match is refused with {@link CorruptException}: serving the LU as if nobody were
 * registered would let a cluster node write where another holds the reservation.
 *
 * <p>Not thread-safe: {@link Reservations} calls it under its lock.
 */
final class PrStateFile {

    private static final int MAGIC = 0x4C505052; // "LPPR"
    private static final int VERSION = 1;
    /** Far above what {@link Reservations} allows; a larger count means a damaged file. */
    private static final int MAX_REGISTRATIONS = 65536;

    private final Path file;
    private final Path temporary;

    PrStateFile(Path file) {
        this.file = file.toAbsolutePath();
        this.temporary = this.file.resolveSibling(this.file.getFileName() + ".tmp");
    }

    Path path() {
        return file;
    }

    /** A file that exists but cannot be trusted. */
    static final class CorruptException extends IOException {
        CorruptException(Path file, String reason) {
            super("persistent reservation file " + file + " is corrupt (" + reason + "): refusing to serve the "
                    + "logical unit without the registrations it held; restore the file, or delete it to start "
                    + "with no reservations");
        }
    }

    /** The saved state; {@link PrState#EMPTY} when there is no file. */
    PrState load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return PrState.EMPTY;
        }
        if (bytes.length < 12) {
            throw new CorruptException(file, bytes.length == 0 ? "empty" : "truncated to " + bytes.length + " bytes");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if ((int) crc.getValue() != stored) {
            throw new CorruptException(file, "checksum mismatch: torn write or damaged");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4))) {
            if (in.readInt() != MAGIC) {
                throw new CorruptException(file, "not a lunport reservation file");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new CorruptException(file, "unknown version " + version);
            }
            int generation = in.readInt();
            boolean aptpl = in.readBoolean();
            int typeCode = in.readUnsignedByte();
            PrType type = typeCode == 0 ? null : PrType.of(typeCode);
            if (typeCode != 0 && type == null) {
                throw new CorruptException(file, "unknown reservation type " + typeCode);
            }
            ItNexus holder = type != null && !type.allRegistrants() ? readNexus(in) : null;
            int count = in.readInt();
            if (count < 0 || count > MAX_REGISTRATIONS) {
                throw new CorruptException(file, "registration count " + count);
            }
            List<Registration> registrations = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ItNexus nexus = readNexus(in);
                long key = in.readLong();
                boolean allTargetPorts = in.readBoolean();
                registrations.add(new Registration(nexus, key, allTargetPorts));
            }
            if (in.available() != 0) {
                throw new CorruptException(file, in.available() + " bytes after the last registration");
            }
            PrState state = new PrState(generation, registrations, type, holder, aptpl);
            if (holder != null && state.registration(holder) == null) {
                throw new CorruptException(file, "the reservation holder is not registered");
            }
            return state;
        } catch (EOFException e) {
            throw new CorruptException(file, "ends early");
        } catch (UTFDataFormatException e) {
            throw new CorruptException(file, "a name is not valid UTF-8");
        } catch (IllegalArgumentException e) {
            throw new CorruptException(file, e.getMessage());
        }
    }

    /** Replaces the file with {@code state}, atomically. */
    void save(PrState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(state.generation());
            out.writeBoolean(state.aptpl());
            out.writeByte(state.type() == null ? 0 : state.type().code());
            if (state.holder() != null) {
                writeNexus(out, state.holder());
            }
            out.writeInt(state.registrations().size());
            for (Registration r : state.registrations()) {
                writeNexus(out, r.nexus());
                out.writeLong(r.key());
                out.writeBoolean(r.allTargetPorts());
            }
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        }
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        forceDirectory();
    }

    /** APTPL was cleared: nothing is to survive a restart. */
    void delete() throws IOException {
        if (Files.deleteIfExists(file)) {
            forceDirectory();
        }
    }

    private void forceDirectory() throws IOException {
        Path dir = file.getParent();
        if (dir == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for reading; the rename is still atomic.
        }
    }

    private static void writeNexus(DataOutputStream out, ItNexus nexus) throws IOException {
        out.writeUTF(nexus.initiatorName());
        out.writeLong(nexus.isid());
        out.writeUTF(nexus.targetName());
        out.writeInt(nexus.portalGroupTag());
    }

    private static ItNexus readNexus(DataInputStream in) throws IOException {
        String initiator = in.readUTF();
        long isid = in.readLong();
        String target = in.readUTF();
        int tag = in.readInt();
        return new ItNexus(initiator, isid, target, tag);
    }
}
