package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ModeParameters;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The mode pages lunport keeps (SPC-4 7.5, SBC-3 6.4): caching, control, informational
 * exceptions. Each page is built for a page control (current, changeable, default) from the
 * LU's {@link ModeParameters}; only WCE is changeable.
 */
final class ModePages {

    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;
    static final int INFORMATIONAL_EXCEPTIONS = 0x1C;
    static final int ALL_PAGES = 0x3F;

    /** Page control field of MODE SENSE. */
    static final int CURRENT = 0;
    static final int CHANGEABLE = 1;
    static final int DEFAULT = 2;
    static final int SAVED = 3;

    /** Caching page byte 2, bit 2. */
    static final int WCE = 0x04;

    @FunctionalInterface
    private interface PageBuilder {
        byte[] build(int pageControl, LogicalUnit unit);
    }

    /** Ascending page code order, the order MODE SENSE returns them in for 3Fh. */
    private static final SortedMap<Integer, PageBuilder> PAGES = new TreeMap<>(Map.of(
            CACHING, ModePages::caching,
            CONTROL, (pc, unit) -> control(pc),
            INFORMATIONAL_EXCEPTIONS, (pc, unit) -> informationalExceptions(pc)));

    private ModePages() {
    }

    static Iterable<Integer> codes() {
        return PAGES.keySet();
    }

    static boolean isSupported(int pageCode) {
        return PAGES.containsKey(pageCode);
    }

    static byte[] page(int pageCode, int pageControl, LogicalUnit unit) {
        return PAGES.get(pageCode).build(pageControl, unit);
    }

    private static byte[] header(int code, int length) {
        byte[] p = new byte[length];
        p[0] = (byte) code;
        p[1] = (byte) (length - 2);
        return p;
    }

    private static byte[] caching(int pageControl, LogicalUnit unit) {
        byte[] p = header(CACHING, 20);
        boolean wce = switch (pageControl) {
            case CHANGEABLE -> true;
            case DEFAULT -> ModeParameters.DEFAULT_WRITE_CACHE_ENABLED;
            default -> unit.modeParameters().writeCacheEnabled();
        };
        p[2] = (byte) (wce ? WCE : 0);
        return p;
    }

    private static byte[] control(int pageControl) {
        byte[] p = header(CONTROL, 12);
        if (pageControl != CHANGEABLE) {
            // D_SENSE 0: fixed-format sense. GLTSD: no log parameters are saved.
            p[2] = 0x02;
            // QUEUE ALGORITHM MODIFIER 1: commands run concurrently, in any order. QERR 00b.
            p[3] = 0x10;
        }
        return p;
    }

    private static byte[] informationalExceptions(int pageControl) {
        byte[] p = header(INFORMATIONAL_EXCEPTIONS, 12);
        if (pageControl != CHANGEABLE) {
            p[2] = 0x08; // DEXCPT: there is no failure prediction to report
        }
        return p;
    }
}
