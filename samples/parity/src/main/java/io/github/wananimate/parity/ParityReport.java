package io.github.wananimate.parity;

import io.github.wananimate.tensor.HostTensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The result of running one fixture: per output the max absolute error, the peak {@code max |golden|}, their
 * ratio and the tolerance ({@code golden/README.md}: ratio ≤ tolerance passes). Golden outputs that were not
 * produced and produced outputs without a golden value are named but do not fail the run; a run that compares
 * nothing fails.
 */
public record ParityReport(String fixture, String component, String backend, double tolerance,
        List<Comparison> comparisons, List<String> notProduced, List<String> withoutGolden, long runMillis) {

    public ParityReport {
        comparisons = List.copyOf(comparisons);
        notProduced = List.copyOf(notProduced);
        withoutGolden = List.copyOf(withoutGolden);
    }

    /** One produced output against its golden value. {@code problem} is non-null for a shape mismatch. */
    public record Comparison(String name, long[] shape, double maxAbsError, double maxAbsGolden, double ratio,
            double tolerance, String problem) {

        /** Within tolerance (NaN anywhere fails). */
        public boolean pass() {
            return problem == null && ratio <= tolerance;
        }
    }

    /** Every compared output within tolerance, and at least one compared. */
    public boolean passed() {
        return !comparisons.isEmpty() && comparisons.stream().allMatch(Comparison::pass);
    }

    /** The comparison of output {@code name}, or null when it was not compared. */
    public Comparison comparison(String name) {
        return comparisons.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    /** Compares {@code actual} with {@code golden} element-wise as float32 → double. */
    public static Comparison compare(String name, HostTensor actual, HostTensor golden, double tolerance) {
        long[] shape = actual.shape();
        if (!Arrays.equals(shape, golden.shape())) {
            return new Comparison(name, shape, Double.NaN, Double.NaN, Double.NaN, tolerance,
                    "shape " + Arrays.toString(shape) + " but golden " + Arrays.toString(golden.shape()));
        }
        FloatBuffer a = actual.asFloatBuffer();
        FloatBuffer g = golden.asFloatBuffer();
        double maxError = 0;
        double peak = 0;
        int n = g.remaining();
        for (int i = 0; i < n; i++) {
            double expected = g.get(i);
            double error = Math.abs(a.get(i) - expected);
            if (Double.isNaN(error)) {
                maxError = Double.NaN;
                break;
            }
            maxError = Math.max(maxError, error);
            peak = Math.max(peak, Math.abs(expected));
        }
        double ratio;
        if (Double.isNaN(maxError)) {
            ratio = Double.NaN;
        } else if (peak == 0) {
            ratio = maxError == 0 ? 0 : Double.POSITIVE_INFINITY;
        } else {
            ratio = maxError / peak;
        }
        return new Comparison(name, shape, maxError, peak, ratio, tolerance, null);
    }

    /** A fixed-width table of every comparison, the unmatched names and the verdict. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "fixture %s (component %s) on %s: tolerance %.1e of peak, run %d ms%n",
                fixture, component, backend, tolerance, runMillis));
        int width = Math.max(6, comparisons.stream().mapToInt(c -> c.name().length()).max().orElse(0));
        int shapeWidth = Math.max(5, comparisons.stream().mapToInt(c -> Arrays.toString(c.shape()).length())
                .max().orElse(0));
        String row = "%-" + width + "s  %-" + shapeWidth + "s  %11s  %11s  %11s  %s%n";
        sb.append(String.format(Locale.ROOT, row, "output", "shape", "max|err|", "max|golden|", "err/peak", "result"));
        for (Comparison c : comparisons) {
            sb.append(String.format(Locale.ROOT, row, c.name(), Arrays.toString(c.shape()), sci(c.maxAbsError()),
                    sci(c.maxAbsGolden()), sci(c.ratio()),
                    c.problem() != null ? "FAIL: " + c.problem() : c.pass() ? "ok" : "FAIL"));
        }
        if (!notProduced.isEmpty()) {
            sb.append("golden outputs not produced: ").append(String.join(", ", notProduced)).append('\n');
        }
        if (!withoutGolden.isEmpty()) {
            sb.append("produced outputs without golden value: ").append(String.join(", ", withoutGolden))
                    .append('\n');
        }
        sb.append(passed() ? "PASS" : comparisons.isEmpty() ? "FAIL (nothing compared)" : "FAIL").append('\n');
        return sb.toString();
    }

    @Override
    public String toString() {
        return table();
    }

    private static String sci(double v) {
        return Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.3e", v);
    }
}
