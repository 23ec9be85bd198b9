package io.github.wananimate.memory;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory sizes in binary units: parsing {@code 24G}, {@code 512M}, {@code 1.5GiB}, {@code 1073741824}, and printing. */
public final class MemorySize {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");

    private MemorySize() {
    }

    /**
     * Parses a size: a number with an optional binary unit {@code K}, {@code M}, {@code G}, {@code T} (powers of
     * 1024; {@code GB} and {@code GiB} are read the same), or plain bytes.
     *
     * @param text the text
     * @throws IllegalArgumentException naming the text when it is not a positive size
     * @return the result
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a memory size: '" + text + "' (use e.g. 24G, 512M, 1.5G or bytes)");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
        if (!(bytes >= 1) || bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("memory size out of range: '" + text + "'");
        }
        return (long) bytes;
    }

    /**
     * {@return {@code bytes} in GiB or MiB with two decimals, e.g. {@code "1.50 GiB"}}
     *
     * @param bytes the bytes
     */
    public static String format(long bytes) {
        if (Math.abs(bytes) >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.2f MiB", bytes / (double) (1L << 20));
    }
}
