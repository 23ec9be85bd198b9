package io.github.wananimate.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory from {@code /proc/self/status} (Linux): the current resident set (VmRSS) and its
 * peak (VmHWM), whose counter can be reset. Elsewhere every figure is −1 and nothing resets.
 */
final class PeakMemory {

    private PeakMemory() {
    }

    /** Resets the kernel's peak-RSS counter of this process (writes 5 to /proc/self/clear_refs); false if it cannot. */
    static boolean reset() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Peak resident set (VmHWM) in KiB, or −1 where unavailable. */
    static long peakKiB() {
        return statusKiB("VmHWM");
    }

    /** Current resident set (VmRSS) in KiB, or −1 where unavailable. */
    static long residentKiB() {
        return statusKiB("VmRSS");
    }

    /** A {@code /proc/self/status} field in KiB, or −1 where unavailable. */
    private static long statusKiB(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
