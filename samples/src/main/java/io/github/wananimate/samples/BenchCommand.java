package io.github.wananimate.samples;

import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wan-animate bench}: forward-pass timings of the networks on procedural weights (warm-up runs, then the
 * median of timed runs), per backend. Measured: one {@code LoadedNetwork.run} including host↔device copies.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Times network forward passes on procedural weights (median of timed runs after warm-up).")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", split = ",", description = "backend(s) to time (default: every available one)")
    List<String> backends;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default), cuda or cuda:N")
    String device;

    @Option(names = "--iterations", defaultValue = "5", description = "timed runs (default ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--warmup", defaultValue = "2", description = "untimed runs first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--faces", defaultValue = "8", description = "motion encoder batch (default ${DEFAULT-VALUE})")
    int faces;

    @Override
    public Integer call() {
        if (iterations < 1 || warmup < 0 || faces < 1) {
            throw new IllegalArgumentException("--iterations and --faces must be >= 1, --warmup >= 0");
        }
        List<String> names = new ArrayList<>();
        if (backends == null || backends.isEmpty()) {
            Backends.providers().stream().filter(BackendProvider::isAvailable).map(BackendProvider::name)
                    .forEach(names::add);
            if (names.isEmpty()) {
                throw new IllegalStateException("no backend available on the classpath");
            }
        } else {
            names.addAll(backends);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-34s %-12s %10s %10s %10s  %s%n", "benchmark", "backend", "median ms", "min ms",
                "max ms", "runs");
        for (String name : names) {
            try (Backend backend = Backends.byName(name).open(new BackendOptions(device, 0))) {
                double[] ms = motionEncoder(backend);
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                out.printf(Locale.ROOT, "%-34s %-12s %10.1f %10.1f %10.1f  %d (+%d warm-up)%n",
                        "motion_encoder forward, " + faces + " faces", backend.name() + "/" + backend.device(),
                        median(sorted), sorted[0], sorted[sorted.length - 1], iterations, warmup);
                out.flush();
            }
        }
        return 0;
    }

    /** Milliseconds of each timed motion-encoder forward of {@link #faces} 512×512 faces. */
    private double[] motionEncoder(Backend backend) {
        MotionEncoder encoder = new MotionEncoder("motion_encoder.");
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ParameterSpec p : encoder.parameters()) {
            if (!p.optional()) {
                shapes.put(p.key(), p.shape());
            }
        }
        long[] shape = {faces, 3, MotionEncoder.SIZE, MotionEncoder.SIZE};
        float[] pixels = new float[Math.toIntExact((long) faces * 3 * MotionEncoder.SIZE * MotionEncoder.SIZE)];
        long hash = Procedural.fnv1a64("bench.faces");
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) Procedural.uniform(hash, i);
        }
        Map<String, HostTensor> inputs = Map.of(MotionEncoder.INPUT_FACES, HostTensor.ofFloats(shape, pixels));
        try (LoadedNetwork loaded = backend.load(encoder, new ProceduralWeights(0, shapes))) {
            for (int i = 0; i < warmup; i++) {
                loaded.run(inputs);
            }
            double[] ms = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long start = System.nanoTime();
                loaded.run(inputs);
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            return ms;
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
