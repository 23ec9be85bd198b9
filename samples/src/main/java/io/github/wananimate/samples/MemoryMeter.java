package io.github.wananimate.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples this process's anonymous and file-backed resident memory ({@code RssAnon} / {@code RssFile} of
 * {@code /proc/self/status}) every few milliseconds and keeps the peaks. On the CPU, anonymous memory is the device
 * proxy: weights and activations the backend allocated; pages of a memory-mapped checkpoint are file-backed and
 * reclaimable, so they are reported apart. The kernel keeps no peak of either, hence the sampling (a peak shorter
 * than the period can be missed).
 */
final class MemoryMeter implements AutoCloseable {

    static final long PERIOD_MS = 2;

    private final AtomicLong peakAnonKiB = new AtomicLong(-1);
    private final AtomicLong peakFileKiB = new AtomicLong(-1);
    private final Thread sampler;
    private volatile boolean running = true;

    MemoryMeter() {
        sample();
        sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-meter");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        long[] now = current();
        peakAnonKiB.accumulateAndGet(now[0], Math::max);
        peakFileKiB.accumulateAndGet(now[1], Math::max);
    }

    long peakAnonKiB() {
        sample();
        return peakAnonKiB.get();
    }

    long peakFileKiB() {
        sample();
        return peakFileKiB.get();
    }

    /** {@code [RssAnon, RssFile]} in KiB now; −1 each where unavailable. */
    static long[] current() {
        long anon = -1;
        long file = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("RssAnon:")) {
                    anon = kib(line);
                } else if (line.startsWith("RssFile:")) {
                    file = kib(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
        return new long[] {anon, file};
    }

    private static long kib(String line) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).replace("kB", "").trim());
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
