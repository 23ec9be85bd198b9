package io.github.wananimate.samples;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *
 * <p>Benchmarks: {@code motion_encoder} ({@code --faces} 512×512 faces) and {@code dit}, the whole
 * {@link WanAnimateDiT} forward (face path included) in the bench configuration {@link #BENCH_DIT}: width 256,
 * 4 heads of 64, 10 blocks (2 face-adapter blocks), FFN 1024, text 256-wide padded to 64 rows, on a latent of
 * {@code --dit-frames} frames (default 2: reference + 1 video frame, so 1 face frame) of {@code --dit-size}²
 * (default 64², i.e. 2·32·32 = 2048 tokens). Peak memory is the process's peak resident set (VmHWM), reset
 * before each benchmark where the kernel allows it, so it covers Java heap, native backend memory and weights.
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

    @Option(names = "--network", split = ",", defaultValue = "motion_encoder,dit",
            description = "benchmarks to run: motion_encoder, dit (default ${DEFAULT-VALUE})")
    List<String> networks;

    @Option(names = "--dit-frames", defaultValue = "2",
            description = "DiT latent frames F incl. the reference frame (default ${DEFAULT-VALUE}; 4(F-1)-3 faces)")
    int ditFrames;

    @Option(names = "--dit-size", defaultValue = "64",
            description = "DiT latent height and width (default ${DEFAULT-VALUE}; tokens = F·(size/2)²)")
    int ditSize;

    /** The documented bench configuration of the DiT: larger than the tiny fixture, seconds per forward on a laptop. */
    static final DiTConfig BENCH_DIT = new DiTConfig(256, 1024, 256, 256, 64, 4, 10, 1e-6);

    @Override
    public Integer call() {
        if (iterations < 1 || warmup < 0 || faces < 1) {
            throw new IllegalArgumentException("--iterations and --faces must be >= 1, --warmup >= 0");
        }
        if (ditFrames < 2 || ditSize < 2 || ditSize % 2 != 0) {
            throw new IllegalArgumentException("--dit-frames must be >= 2 and --dit-size even and >= 2");
        }
        for (String n : networks) {
            if (!n.equals("motion_encoder") && !n.equals("dit")) {
                throw new IllegalArgumentException("unknown benchmark '" + n + "'; known: motion_encoder, dit");
            }
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
        out.printf(Locale.ROOT, "%-40s %-12s %10s %10s %10s %12s  %s%n", "benchmark", "backend", "median ms",
                "min ms", "max ms", "peak RSS MB", "runs");
        for (String name : names) {
            try (Backend backend = Backends.byName(name).open(new BackendOptions(device, 0))) {
                for (String network : networks) {
                    boolean reset = resetPeakRss();
                    double[] ms;
                    String label;
                    if (network.equals("dit")) {
                        ms = dit(backend);
                        label = "dit forward, " + ditFrames + "x" + ditSize + "x" + ditSize + " latent, "
                                + ditFrames * (ditSize / 2) * (ditSize / 2) + " tokens";
                    } else {
                        ms = motionEncoder(backend);
                        label = "motion_encoder forward, " + faces + " faces";
                    }
                    double[] sorted = ms.clone();
                    Arrays.sort(sorted);
                    long peak = peakRssBytes();
                    out.printf(Locale.ROOT, "%-40s %-12s %10.1f %10.1f %10.1f %12s  %d (+%d warm-up)%n", label,
                            backend.name() + "/" + backend.device(), median(sorted), sorted[0],
                            sorted[sorted.length - 1],
                            peak < 0 ? "n/a" : String.format(Locale.ROOT, "%s%.0f", reset ? "" : ">=", peak / 1e6),
                            iterations, warmup);
                    out.flush();
                }
            }
        }
        return 0;
    }

    /** Milliseconds of each timed motion-encoder forward of {@link #faces} 512×512 faces. */
    private double[] motionEncoder(Backend backend) {
        HostTensor pixels = procedural("bench.faces", faces, 3, MotionEncoder.SIZE, MotionEncoder.SIZE);
        return time(backend, new MotionEncoder("motion_encoder."), Map.of(MotionEncoder.INPUT_FACES, pixels));
    }

    /** Milliseconds of each timed forward of {@link WanAnimateDiT} in {@link #BENCH_DIT}, procedural weights. */
    private double[] dit(Backend backend) {
        WanAnimateDiT dit = new WanAnimateDiT(BENCH_DIT);
        int faceFrames = 4 * (ditFrames - 1) - 3;
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        inputs.put(WanAnimateDiT.X, procedural("bench.x", 16, ditFrames, ditSize, ditSize));
        inputs.put(WanAnimateDiT.Y, procedural("bench.y", 20, ditFrames, ditSize, ditSize));
        inputs.put(WanAnimateDiT.TIMESTEP_SINUSOID, WanAnimateDiT.timestepSinusoid(937, BENCH_DIT.freqDim()));
        inputs.put(WanAnimateDiT.CONTEXT, procedural("bench.context", BENCH_DIT.textLen() / 2, BENCH_DIT.textDim()));
        inputs.put(WanAnimateDiT.CLIP_FEA, procedural("bench.clip_fea", 1, DiTConfig.CLIP_TOKENS, DiTConfig.CLIP_DIM));
        inputs.put(WanAnimateDiT.POSE_LATENTS, procedural("bench.pose", 1, 16, ditFrames - 1, ditSize, ditSize));
        inputs.put(WanAnimateDiT.FACE_PIXEL_VALUES, procedural("bench.faces", 1, 3, faceFrames, MotionEncoder.SIZE,
                MotionEncoder.SIZE));
        return time(backend, dit, inputs);
    }

    private double[] time(Backend backend, Network network, Map<String, HostTensor> inputs) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ParameterSpec p : network.parameters()) {
            if (!p.optional()) {
                shapes.put(p.key(), p.shape());
            }
        }
        try (LoadedNetwork loaded = backend.load(network, new ProceduralWeights(0, shapes))) {
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

    private static HostTensor procedural(String name, long... shape) {
        float[] values = new float[Math.toIntExact(Shapes.elementCount(shape))];
        long hash = Procedural.fnv1a64(name);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Procedural.uniform(hash, i);
        }
        return HostTensor.ofFloats(shape, values);
    }

    /** Resets the kernel's peak-RSS counter of this process (writes 5 to /proc/self/clear_refs); false if it cannot. */
    private static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** VmHWM of /proc/self/status in bytes, or −1 where there is no such file. */
    private static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
