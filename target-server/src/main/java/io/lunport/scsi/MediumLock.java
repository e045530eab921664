package io.lunport.scsi;

import java.util.concurrent.locks.StampedLock;

/**
 * Makes the commands of one logical unit that read the medium and then write depending on what
 * they read (COMPARE AND WRITE, ORWRITE, WRITE AND VERIFY with BYTCHK) atomic with respect to
 * every other command that writes the LU, as SBC-3 requires of COMPARE AND WRITE and as VMware's
 * ATS locking relies on. Commands run concurrently on worker threads, so without it a WRITE from
 * another initiator could land between the compare and the write.
 *
 * <p>Locking contract, for every handler that changes the medium:
 * <ul>
 *   <li>READ, VERIFY, PRE-FETCH and other commands that only read take nothing.</li>
 *   <li>A command that only writes (WRITE, WRITE AND VERIFY without BYTCHK, UNMAP, and any
 *       future WRITE SAME) holds the lock <em>shared</em> around its device writes: plain writers
 *       never wait for each other.</li>
 *   <li>A command that reads, compares or merges, then writes holds it <em>exclusively</em> from
 *       its first read of the medium to the end of its last write.</li>
 *   <li>Never acquired twice by one thread (the lock is not reentrant), and never held across
 *       anything but device I/O on this LU.</li>
 * </ul>
 *
 * <p>Why one lock per LU rather than locks striped by LBA range: a plain WRITE then costs one
 * compare-and-set to acquire and one to release, whatever its length, and never blocks behind
 * another WRITE; striping would make large writes take many locks (in order, to avoid deadlock)
 * and, with exclusive stripes, serialise unrelated writes that hash to one stripe. The price is
 * that an exclusive holder stalls every writer of the LU (never a reader) for its duration; that
 * is why COMPARE AND WRITE is limited to one block (the size Windows and ESXi ATS use) and why the
 * other exclusive commands are rare ones. A {@link StampedLock} rather than a
 * {@code ReentrantReadWriteLock}: the latter allocates a per-thread hold counter on many read
 * acquisitions, which would be garbage on every WRITE.
 */
public final class MediumLock {

    private final StampedLock lock = new StampedLock();

    /** For a command that only writes; returns the stamp for {@link #unlockShared}. */
    public long lockShared() {
        return lock.readLock();
    }

    public void unlockShared(long stamp) {
        lock.unlockRead(stamp);
    }

    /** For a read-compare/merge-write command; returns the stamp for {@link #unlockExclusive}. */
    public long lockExclusive() {
        return lock.writeLock();
    }

    public void unlockExclusive(long stamp) {
        lock.unlockWrite(stamp);
    }
}
