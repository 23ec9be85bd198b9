package io.github.wananimate.samples;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Timing and the table of {@code wan-animate bench}: every benchmark times its action {@code warmup} times untimed,
 * then {@code iterations} times, and prints one row (median, min, max ms, peak RSS, runs) in the same columns.
 */
final class BenchReport {

    private static final String COLUMNS = "%-40s %-12s %10s %10s %10s %12s  %s%n";
    private static final String ROW = "%-40s %-12s %10.1f %10.1f %10.1f %12s  %d (+%d warm-up)%s%n";

    private final PrintWriter out;
    private final int iterations;
    private final int warmup;

    BenchReport(PrintWriter out, int iterations, int warmup) {
        this.out = out;
        this.iterations = iterations;
        this.warmup = warmup;
    }

    PrintWriter out() {
        return out;
    }

    void printHeader() {
        out.printf(Locale.ROOT, COLUMNS, "benchmark", "backend", "median ms", "min ms", "max ms", "peak RSS MB", "runs");
    }

    /** Milliseconds of each timed run of {@code action}, after the untimed warm-up runs. */
    double[] time(Runnable action) {
        for (int i = 0; i < warmup; i++) {
            action.run();
        }
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            action.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        return ms;
    }

    /**
     * Milliseconds of each timed {@link LoadedNetwork#run} of {@code network} on procedural weights (every required
     * parameter, seed 0), host↔device copies included.
     */
    double[] timeForward(Backend backend, Network network, Map<String, HostTensor> inputs) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ParameterSpec p : network.parameters()) {
            if (!p.optional()) {
                shapes.put(p.key(), p.shape());
            }
        }
        try (LoadedNetwork loaded = backend.load(network, new ProceduralWeights(0, shapes))) {
            return time(() -> loaded.run(inputs));
        }
    }

    /**
     * A row whose peak-RSS column is the process peak now, in MB; prefixed {@code >=} when the peak could not be
     * reset before the benchmark (it may then predate it).
     */
    void rowWithPeak(String label, String where, double[] ms, boolean peakWasReset) {
        long peakKiB = PeakMemory.peakKiB();
        row(label, where, ms, peakKiB < 0 ? "n/a"
                : String.format(Locale.ROOT, "%s%.0f", peakWasReset ? "" : ">=", peakKiB * 1024 / 1e6), "");
    }

    /** One row of the table; {@code note} is appended after the run counts. */
    void row(String label, String where, double[] ms, String peakColumn, String note) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        out.printf(Locale.ROOT, ROW, label, where, median(ms), sorted[0], sorted[sorted.length - 1], peakColumn,
                iterations, warmup, note);
        out.flush();
    }

    static String where(Backend backend) {
        return backend.name() + "/" + backend.device();
    }

    /** A memory figure of {@link PeakMemory} in MiB with one decimal, or {@code n/a} where it is unavailable (−1). */
    static String mib(long kib) {
        return kib < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", kib / 1024.0);
    }

    static double median(double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
