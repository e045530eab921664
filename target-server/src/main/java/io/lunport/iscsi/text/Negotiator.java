package io.lunport.iscsi.text;

import java.util.EnumMap;
import java.util.Map;

/**
 * Answers an initiator's operational keys by the result functions of RFC 7143 section 13
 * and remembers the outcome. One per login; read the result with {@link #result()} when the
 * login completes.
 */
public final class Negotiator {

    public static final String REJECT = "Reject";

    private final Map<OperationalKey, String> values = new EnumMap<>(OperationalKey.class);
    private int initiatorMaxRecvDataSegmentLength = 8192;

    public Negotiator() {
        // RFC 7143 defaults, in force for every key the initiator does not offer.
        values.put(OperationalKey.HEADER_DIGEST, "None");
        values.put(OperationalKey.DATA_DIGEST, "None");
        values.put(OperationalKey.MAX_CONNECTIONS, "1");
        values.put(OperationalKey.INITIAL_R2T, "Yes");
        values.put(OperationalKey.IMMEDIATE_DATA, "Yes");
        values.put(OperationalKey.MAX_BURST_LENGTH, "262144");
        values.put(OperationalKey.FIRST_BURST_LENGTH, "65536");
        values.put(OperationalKey.DEFAULT_TIME2WAIT, "2");
        values.put(OperationalKey.DEFAULT_TIME2RETAIN, "20");
        values.put(OperationalKey.MAX_OUTSTANDING_R2T, "1");
        values.put(OperationalKey.DATA_PDU_IN_ORDER, "Yes");
        values.put(OperationalKey.DATA_SEQUENCE_IN_ORDER, "Yes");
        values.put(OperationalKey.ERROR_RECOVERY_LEVEL, "0");
    }

    /** The answer to {@code key=offered}, recording the outcome. */
    public String answer(OperationalKey key, String offered) {
        String answer = switch (key.kind()) {
            case LIST -> firstSupported(offered, key.targetValue());
            case NUMBER_MIN, NUMBER_MAX -> number(key, offered);
            case BOOLEAN_AND -> bool(offered, key.targetValue(), true);
            case BOOLEAN_OR -> bool(offered, key.targetValue(), false);
            case DECLARATIVE_NUMBER -> declare(key, offered);
            case IRRELEVANT -> "Irrelevant";
        };
        if (!REJECT.equals(answer) && key.kind() != OperationalKey.Kind.DECLARATIVE_NUMBER
                && key.kind() != OperationalKey.Kind.IRRELEVANT) {
            values.put(key, answer);
        }
        return answer;
    }

    /**
     * Answers keys the initiator left out where RFC defaults would differ from what it
     * asked for in a way that breaks the session: FirstBurstLength may not exceed the
     * negotiated MaxBurstLength. Returns the corrected FirstBurstLength, or null.
     */
    public String reconcileFirstBurst() {
        long first = Long.parseLong(values.get(OperationalKey.FIRST_BURST_LENGTH));
        long max = Long.parseLong(values.get(OperationalKey.MAX_BURST_LENGTH));
        if (first > max) {
            String fixed = Long.toString(max);
            values.put(OperationalKey.FIRST_BURST_LENGTH, fixed);
            return fixed;
        }
        return null;
    }

    public NegotiatedParameters result() {
        return new NegotiatedParameters(
                "CRC32C".equals(values.get(OperationalKey.HEADER_DIGEST)),
                "CRC32C".equals(values.get(OperationalKey.DATA_DIGEST)),
                initiatorMaxRecvDataSegmentLength,
                Integer.parseInt(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH.targetValue()),
                intValue(OperationalKey.MAX_BURST_LENGTH),
                intValue(OperationalKey.FIRST_BURST_LENGTH),
                "Yes".equals(values.get(OperationalKey.INITIAL_R2T)),
                "Yes".equals(values.get(OperationalKey.IMMEDIATE_DATA)),
                intValue(OperationalKey.MAX_OUTSTANDING_R2T),
                intValue(OperationalKey.DEFAULT_TIME2WAIT),
                intValue(OperationalKey.DEFAULT_TIME2RETAIN));
    }

    private int intValue(OperationalKey key) {
        return Integer.parseInt(values.get(key));
    }

    private String declare(OperationalKey key, String offered) {
        Long value = parseNumber(offered);
        if (value == null || value < key.min() || value > key.max()) {
            return REJECT;
        }
        initiatorMaxRecvDataSegmentLength = value.intValue();
        return key.targetValue();
    }

    private static String number(OperationalKey key, String offered) {
        Long value = parseNumber(offered);
        if (value == null || value < key.min() || value > key.max()) {
            return REJECT;
        }
        long ours = Long.parseLong(key.targetValue());
        long result = key.kind() == OperationalKey.Kind.NUMBER_MIN ? Math.min(value, ours) : Math.max(value, ours);
        return Long.toString(result);
    }

    private static String bool(String offered, String ours, boolean and) {
        if (!"Yes".equals(offered) && !"No".equals(offered)) {
            return REJECT;
        }
        boolean a = "Yes".equals(offered);
        boolean b = "Yes".equals(ours);
        return (and ? a && b : a || b) ? "Yes" : "No";
    }

    private static String firstSupported(String offered, String supported) {
        for (String candidate : offered.split(",")) {
            for (String ours : supported.split(",")) {
                if (ours.equals(candidate)) {
                    return candidate;
                }
            }
        }
        return REJECT;
    }

    /**
     * RFC 7143 numbers: decimal, or 0x-hex; at most 64 bits. Only digits: Long.parseLong
     * alone would also take a sign ("+512", "0x-1"), which no constant of the RFC has.
     */
    static Long parseNumber(String text) {
        boolean hex = text.startsWith("0x") || text.startsWith("0X");
        String digits = hex ? text.substring(2) : text;
        if (digits.isEmpty() || digits.length() > 20) {
            return null;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), hex ? 16 : 10) < 0 || digits.charAt(i) > 0x7F) {
                return null;
            }
        }
        try {
            return Long.parseLong(digits, hex ? 16 : 10);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
