package io.lunport.overlay;

import io.lunport.translation.RawBlockSource;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process the crash test kills: replays {@link CrashOps} on an overlay and prints, after
 * each step, what it may claim: "B id" before op id starts, "A id" once op id is durable
 * (FUA write, deallocation), "W id" once a cached write returned, "F id" once a flush covering
 * every op up to id returned. Runs until killed.
 */
public final class CrashChild {

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        Path overlay = Path.of(args[1]);
        CrashOps ops = new CrashOps(Long.parseLong(args[2]), Long.parseLong(args[3]));
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(image), overlay)) {
            out.println("READY");
            for (int n = 1; ; n++) {
                CrashOps.Op op = ops.next();
                out.println("B " + op.id());
                if (op.deallocate()) {
                    device.deallocate(op.firstBlock() * 512L, op.blocks() * 512L);
                    out.println("A " + op.id());
                } else {
                    device.write(op.firstBlock() * 512L, CrashOps.data(op), op.fua());
                    out.println((op.fua() ? "A " : "W ") + op.id());
                }
                if (n % CrashOps.FLUSH_EVERY == 0) {
                    device.flush();
                    out.println("F " + op.id());
                }
            }
        }
    }
}
