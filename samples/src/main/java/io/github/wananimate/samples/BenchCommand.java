package io.github.wananimate.samples;

import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.WanVae;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.BackendProvider;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
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

    @Option(names = "--network", split = ",", defaultValue = "motion_encoder,vae",
            description = "networks to time: motion_encoder, vae (default ${DEFAULT-VALUE})")
    List<String> networks;

    @Option(names = "--vae-dim", defaultValue = "16",
            description = "VAE base width (96 = the released VAE; default ${DEFAULT-VALUE})")
    int vaeDim;

    @Option(names = "--vae-size", split = ",", defaultValue = "64,256",
            description = "square frame sizes for the VAE decode timing (default ${DEFAULT-VALUE})")
    List<Integer> vaeSizes;

    @Option(names = "--vae-frames", split = ",", defaultValue = "17,65",
            description = "frame counts (4k+1) decoded; the first is timed, all are measured for peak memory"
                    + " (default ${DEFAULT-VALUE})")
    List<Integer> vaeFrames;

    @Override
    public Integer call() {
        if (iterations < 1 || warmup < 0 || faces < 1) {
            throw new IllegalArgumentException("--iterations and --faces must be >= 1, --warmup >= 0");
        }
        for (String network : networks) {
            if (!network.equals("motion_encoder") && !network.equals("vae")) {
                throw new IllegalArgumentException("unknown --network '" + network + "': motion_encoder or vae");
            }
        }
        for (int frames : vaeFrames) {
            if (frames < 1 || (frames - 1) % 4 != 0) {
                throw new IllegalArgumentException("--vae-frames must be 4k+1, got " + frames);
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
        out.printf(Locale.ROOT, "%-34s %-12s %10s %10s %10s  %s%n", "benchmark", "backend", "median ms", "min ms",
                "max ms", "runs");
        for (String name : names) {
            try (Backend backend = Backends.byName(name).open(new BackendOptions(device, 0))) {
                if (networks.contains("motion_encoder")) {
                    row(out, "motion_encoder forward, " + faces + " faces", backend, motionEncoder(backend), "");
                }
                if (networks.contains("vae")) {
                    vae(out, backend);
                }
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

    private void row(PrintWriter out, String label, Backend backend, double[] ms, String note) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        out.printf(Locale.ROOT, "%-34s %-12s %10.1f %10.1f %10.1f  %d (+%d warm-up)%s%n", label,
                backend.name() + "/" + backend.device(), median(sorted), sorted[0], sorted[sorted.length - 1],
                iterations, warmup, note);
        out.flush();
    }

    /**
     * VAE decode on procedural weights, streamed latent frame by latent frame (frames are discarded as they
     * arrive): wall time of decoding the first {@code --vae-frames} count per size, as frames/s; then the peak
     * resident memory while decoding each frame count (process peak RSS reset before each decode, Linux only;
     * garbage is collected after every chunk so that the figure is the live working set, not uncollected
     * host buffers).
     */
    private void vae(PrintWriter out, Backend backend) {
        VaeConfig config = VaeConfig.withDim(vaeDim);
        for (int size : vaeSizes) {
            if (size % 8 != 0) {
                throw new IllegalArgumentException("--vae-size must be a multiple of 8, got " + size);
            }
            try (WanVae vae = WanVae.load(backend, ProceduralWeights.forSpecs(0, WanVae.parameters(config)), config)) {
                int frames = vaeFrames.get(0);
                HostTensor latent = benchLatent(frames, size);
                for (int i = 0; i < warmup; i++) {
                    vae.decode(latent, chunk -> { });
                }
                double[] ms = new double[iterations];
                for (int i = 0; i < iterations; i++) {
                    long start = System.nanoTime();
                    vae.decode(latent, chunk -> { });
                    ms[i] = (System.nanoTime() - start) / 1e6;
                }
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                String label = "vae decode dim" + vaeDim + " " + size + "x" + size + " " + frames + "f";
                row(out, label, backend, ms, String.format(Locale.ROOT, "  %.2f frames/s",
                        frames / (median(sorted) / 1000)));
                for (int count : vaeFrames) {
                    HostTensor longer = benchLatent(count, size);
                    resetPeakRss();
                    long before = residentKiB("VmRSS");
                    vae.decode(longer, chunk -> System.gc());
                    long peak = residentKiB("VmHWM");
                    out.printf(Locale.ROOT, "  peak RSS decoding %d frames at %dx%d: %s MiB (%s MiB when it started;"
                            + " output %.1f MiB, streamed and discarded)%n", count, size, size,
                            peak < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", peak / 1024.0),
                            before < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", before / 1024.0),
                            3.0 * count * size * size * 4 / (1 << 20));
                    out.flush();
                }
            }
        }
    }

    private static HostTensor benchLatent(int frames, int size) {
        long[] shape = {VaeConfig.LATENT_CHANNELS, 1 + (frames - 1) / 4, size / 8, size / 8};
        float[] values = new float[Math.toIntExact(shape[0] * shape[1] * shape[2] * shape[3])];
        long hash = Procedural.fnv1a64("bench.latent");
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Procedural.uniform(hash, i);
        }
        return HostTensor.ofFloats(shape, values);
    }

    /** Resets the kernel's peak-RSS counter of this process (writing 5 to clear_refs); no-op elsewhere. */
    private static void resetPeakRss() {
        System.gc();
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // Not Linux or not permitted: VmHWM then is the peak since start.
        }
    }

    /** A {@code /proc/self/status} field in KiB, or -1 where unavailable. */
    private static long residentKiB(String field) {
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

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
