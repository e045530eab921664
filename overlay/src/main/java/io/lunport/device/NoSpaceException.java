package io.lunport.device;

import io.lunport.translation.MediumException;
import java.io.IOException;

/**
 * A write could not be stored because the file system under a device is full (ENOSPC, or
 * a quota). The SCSI layer answers it with DATA PROTECT, SPACE ALLOCATION FAILED WRITE
 * PROTECT (27h/07h), the sense a thin-provisioned LU gives when it runs out of backing
 * space. The device stays consistent: the failed write is simply not there, and writes
 * work again once space is freed.
 */
public class NoSpaceException extends MediumException {

    public NoSpaceException(long virtualOffset, String message, Throwable cause) {
        super(virtualOffset, message, cause);
    }

    /**
     * Whether {@code e} is the JDK's rendering of ENOSPC or EDQUOT. Java reports both as a
     * plain IOException whose message is the strerror text, so the text is all there is.
     */
    public static boolean isNoSpace(IOException e) {
        String message = e.getMessage();
        return message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded"));
    }
}
