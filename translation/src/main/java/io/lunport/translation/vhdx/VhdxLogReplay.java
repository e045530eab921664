package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.blockmap.ImageFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a pending VHDX log in memory: finds the active sequence (the newest valid and
 * complete run of entries, as MS-VHDX 2.3.3 describes the search) and returns the file as
 * it would read after the replay, without writing it.
 */
final class VhdxLogReplay {

    /** Logs are 1 MiB in practice; a longer one is read into memory only up to this size. */
    static final long MAX_LOG_LENGTH = 64L << 20;

    private VhdxLogReplay() {
    }

    static ImageFile replay(ImageFile file, VhdxHeader header) throws IOException {
        long offset = header.logOffset();
        long length = header.logLength();
        long field = VhdxHeader.HEADER1_OFFSET + 68;
        if (length <= 0 || length % (1 << 20) != 0 || length > MAX_LOG_LENGTH) {
            throw new ImageFormatException(file.path(), field, "header log length",
                    length + " is not a multiple of 1 MiB up to " + MAX_LOG_LENGTH);
        }
        if (offset < VhdxFormat.HEADER_SECTION || offset % (1 << 20) != 0 || offset > file.size() - length) {
            throw new ImageFormatException(file.path(), field + 4, "header log offset",
                    Long.toUnsignedString(offset) + " does not place the log inside the file after its first MiB");
        }
        byte[] log = file.readBytes(offset, (int) length);
        List<VhdxLogEntry> active = activeSequence(log, header.logGuid());
        if (active.isEmpty()) {
            throw new ImageFormatException(file.path(), offset, "log",
                    "the header names log " + header.logGuid() + " but the log holds no valid sequence of it");
        }
        VhdxLogEntry head = active.get(active.size() - 1);
        if (file.size() < head.flushedFileOffset()) {
            throw new ImageFormatException(file.path(), offset + head.offset() + 48, "log entry flushed file offset",
                    "the file (" + file.size() + " bytes) is shorter than " + head.flushedFileOffset() + ": it was truncated");
        }
        VhdxLogOverlay overlay = new VhdxLogOverlay(file, head.lastFileOffset());
        for (VhdxLogEntry entry : active) {
            for (VhdxLogEntry.Write write : entry.writes()) {
                overlay.apply(write);
            }
        }
        return overlay;
    }

    /** The newest valid, complete sequence, tail entry first; empty when there is none. */
    static List<VhdxLogEntry> activeSequence(byte[] log, VhdxGuid logGuid) {
        List<VhdxLogEntry> candidate = List.of();
        long currentTail = 0;
        long oldTail = 0;
        while (true) {
            List<VhdxLogEntry> current = new ArrayList<>();
            long position = currentTail;
            long covered = 0;
            while (covered < log.length) {
                VhdxLogEntry entry = VhdxLogEntry.parse(log, position, logGuid);
                if (entry == null || (!current.isEmpty()
                        && entry.sequenceNumber() != current.get(current.size() - 1).sequenceNumber() + 1)) {
                    break;
                }
                current.add(entry);
                covered += entry.length();
                position = (position + entry.length()) % log.length;
            }
            List<VhdxLogEntry> valid = fromTail(current);
            if (!valid.isEmpty() && (candidate.isEmpty() || Long.compareUnsigned(last(valid).sequenceNumber(),
                    last(candidate).sequenceNumber()) > 0)) {
                candidate = valid;
            }
            currentTail = valid.isEmpty() ? (currentTail + VhdxLogEntry.SECTOR) % log.length : position;
            if (currentTail <= oldTail) {
                return candidate;
            }
            oldTail = currentTail;
        }
    }

    /** The part of {@code run} from the entry its head names as tail; empty if the tail lies outside. */
    private static List<VhdxLogEntry> fromTail(List<VhdxLogEntry> run) {
        if (run.isEmpty()) {
            return run;
        }
        long tail = last(run).tail();
        for (int i = 0; i < run.size(); i++) {
            if (run.get(i).offset() == tail) {
                return run.subList(i, run.size());
            }
        }
        return List.of();
    }

    private static VhdxLogEntry last(List<VhdxLogEntry> entries) {
        return entries.get(entries.size() - 1);
    }
}
