package dev.kubespan.config.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations the way Go's {@code time.ParseDuration} writes them: {@code 30s}, {@code 4m35s}, {@code 1.5h}, {@code 500ms}. */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, BigInteger> NANOS = Map.of("ns", BigInteger.ONE, "us",
            BigInteger.valueOf(1_000L), "µs", BigInteger.valueOf(1_000L), "μs", BigInteger.valueOf(1_000L), "ms",
            BigInteger.valueOf(1_000_000L), "s", BigInteger.valueOf(1_000_000_000L), "m",
            BigInteger.valueOf(60_000_000_000L), "h", BigInteger.valueOf(3_600_000_000_000L));

    private GoDuration() {
    }

    /** @throws IllegalArgumentException with a reason that quotes the text */
    static Duration parse(String text) {
        String s = text == null ? "" : text.trim();
        String body = s;
        boolean negative = false;
        if (body.startsWith("-") || body.startsWith("+")) {
            negative = body.startsWith("-");
            body = body.substring(1);
        }
        if (body.equals("0")) {
            return Duration.ZERO;
        }
        if (body.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 30s, 4m35s, 500ms)");
        }
        Matcher m = PART.matcher(body);
        int pos = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (pos < body.length()) {
            if (!m.find(pos) || m.start() != pos || m.group(1).isEmpty() || m.group(1).equals(".")) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 30s, 4m35s, 500ms)");
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(new BigDecimal(NANOS.get(m.group(2)))));
            pos = m.end();
        }
        BigInteger whole = nanos.toBigInteger();
        if (whole.bitLength() > 63) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        Duration d = Duration.ofNanos(whole.longValueExact());
        return negative ? d.negated() : d;
    }
}
