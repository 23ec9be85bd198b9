package io.github.wananimate.spi;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a backend computes: the CPU or CUDA device {@code index}. Parsed once from the text users write
 * ({@link #parse}), so every backend accepts the same spellings.
 *
 * @param kind  CPU or CUDA
 * @param index the CUDA device ordinal (0 for the CPU)
 */
public record Device(Kind kind, int index) {

    /** The kinds of device a backend may offer. */
    public enum Kind {
        /** The host CPU. */
        CPU,
        /** An NVIDIA GPU through CUDA. */
        CUDA
    }

    /** The CPU. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    private static final Pattern SPEC = Pattern.compile("(cpu|cuda|gpu)(?::(\\d{1,9}))?");

    /**
     * Checks the ordinal: at least 0, and 0 for the CPU.
     *
     * @param kind CPU or CUDA
     * @param index the CUDA device ordinal (0 for the CPU)
     */
    public Device {
        if (kind == null) {
            throw new IllegalArgumentException("device kind is null");
        }
        if (index < 0 || kind == Kind.CPU && index != 0) {
            throw new IllegalArgumentException("bad device index " + index + " for " + kind);
        }
    }

    /**
     * CUDA device {@code index}.
     *
     * @param index the ordinal, ≥ 0
     * @return the device
     */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /**
     * {@code cpu}, {@code cuda} (device 0) or {@code cuda:N}; {@code gpu} and {@code gpu:N} are aliases of
     * {@code cuda}. Case and surrounding blanks are ignored.
     *
     * @param spec the device as users write it
     * @throws IllegalArgumentException naming the text and the accepted spellings
     * @return the device
     */
    public static Device parse(String spec) {
        Matcher m = spec == null ? null : SPEC.matcher(spec.trim().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches() || m.group(1).equals("cpu") && m.group(2) != null) {
            throw new IllegalArgumentException("unknown device '" + spec + "': use cpu, cuda or cuda:N (gpu is an "
                    + "alias of cuda)");
        }
        return m.group(1).equals("cpu") ? CPU : cuda(m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    /** {@return whether this is the CPU} */
    public boolean isCpu() {
        return kind == Kind.CPU;
    }

    /** {@return whether this is a CUDA device} */
    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    /** {@code cpu} or {@code cuda:N}, the form {@link #parse} reads back. */
    @Override
    public String toString() {
        return isCpu() ? "cpu" : "cuda:" + index;
    }
}
