package io.github.wananimate.djl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the free memory glibc's {@code malloc} keeps in its heaps back to the kernel ({@code malloc_trim(0)}) after
 * runs on the CPU. PyTorch allocates a fresh output per op; glibc serves blocks up to its mmap threshold (at most
 * 32 MiB) from its heaps and keeps what is freed there. A chunked run that is handed the previous call's state
 * ({@link io.github.wananimate.spi.LoadedNetwork#runConsuming}, the VAE's causal cache) frees long-lived blocks in
 * the middle of those heaps, and the holes grew with the number of calls: the process peak of a 256×256 VAE decode
 * rose from 808–1012 MiB at 17 frames to 1276 MiB at 65 (README, *VAE decode*, stop 21). Trimming keeps it flat, at
 * the cost of faulting those pages in again on the next run.
 *
 * <p>{@code -Dwananimate.djl.trimHeap=auto} (the default) trims after consuming runs, {@code true} after every CPU
 * run, {@code false} never. A no-op off Linux or with a C library without {@code malloc_trim}; with another
 * allocator preloaded (jemalloc) it only trims glibc's own, unused heaps.
 */
final class GlibcHeap {

    /** System property: {@code auto}, {@code true} or {@code false}. */
    static final String PROPERTY = "wananimate.djl.trimHeap";

    /** When to trim. */
    enum Policy {
        NEVER, AFTER_CONSUMING_RUNS, AFTER_EVERY_RUN;

        /** {@return the policy a {@link #PROPERTY} value names; null: the default} */
        static Policy parse(String value) {
            if (value == null) {
                return AFTER_CONSUMING_RUNS;
            }
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> AFTER_CONSUMING_RUNS;
                case "true" -> AFTER_EVERY_RUN;
                case "false" -> NEVER;
                default -> throw new IllegalArgumentException("-D" + PROPERTY + " is auto, true or false, got '"
                        + value + "'");
            };
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(GlibcHeap.class);

    private final Policy policy;
    private final LibC libc;

    private GlibcHeap(Policy policy, LibC libc) {
        this.policy = policy;
        this.libc = libc;
    }

    private interface LibC extends Library {
        int malloc_trim(long pad);
    }

    /** {@return trimming as the system property asks} */
    static GlibcHeap fromSystemProperty() {
        return open(Policy.parse(System.getProperty(PROPERTY)));
    }

    /**
     * {@return trimming by {@code policy} on Linux with a C library that has {@code malloc_trim}, else never}
     *
     * @param policy when to trim
     */
    static GlibcHeap open(Policy policy) {
        if (policy == Policy.NEVER || !Platform.isLinux()) {
            return new GlibcHeap(Policy.NEVER, null);
        }
        try {
            return new GlibcHeap(policy, Native.load(Platform.C_LIBRARY_NAME, LibC.class));
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("this C library has no malloc_trim; the heap is left as it is", e);
            return new GlibcHeap(Policy.NEVER, null);
        }
    }

    /** {@return when this heap is trimmed (NEVER where it cannot be)} */
    Policy policy() {
        return policy;
    }

    /**
     * Trims glibc's heaps after a run if the policy asks for it.
     *
     * @param consumed whether the run was handed device inputs to consume
     * @return whether {@code malloc_trim} ran
     */
    boolean afterRun(boolean consumed) {
        boolean due = policy == Policy.AFTER_EVERY_RUN || policy == Policy.AFTER_CONSUMING_RUNS && consumed;
        if (due) {
            libc.malloc_trim(0);
        }
        return due;
    }
}
