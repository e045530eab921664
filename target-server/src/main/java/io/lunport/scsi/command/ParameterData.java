package io.lunport.scsi.command;

import io.lunport.scsi.ScsiTask;
import java.nio.ByteBuffer;

/**
 * Delivers the parameter data of a non-block command (INQUIRY, MODE SENSE, ...), truncated
 * to the allocation length without error as SPC-4 4.2.5.6 requires.
 *
 * <p>Leaves the data-in buffer with position 0 and limit = bytes to send.
 */
public final class ParameterData {

    private ParameterData() {
    }

    public static void send(ScsiTask task, byte[] data, int length, long allocationLength) {
        int wanted = (int) Math.min(length, allocationLength);
        ByteBuffer in = task.dataIn(wanted);
        int n = Math.min(in.limit(), wanted);
        in.put(0, data, 0, n);
        in.position(0).limit(n);
    }

    public static void send(ScsiTask task, byte[] data, long allocationLength) {
        send(task, data, data.length, allocationLength);
    }
}
