package io.lunport.iscsi.session;

/** RFC 1982 serial number arithmetic on 32 bits, as iSCSI sequence numbers use it. */
final class SerialNumbers {

    private SerialNumbers() {
    }

    /** a < b in serial arithmetic. */
    static boolean lessThan(int a, int b) {
        return a != b && (a - b) < 0;
    }

    static boolean lessOrEqual(int a, int b) {
        return a == b || (a - b) < 0;
    }
}
