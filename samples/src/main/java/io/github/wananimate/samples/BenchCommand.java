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
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.SafetensorsWriter;
import io.github.wananimate.weights.lora.LoraAdapter;
import io.github.wananimate.weights.lora.LoraMergedSource;
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
 *
 * <p>{@code lora} is a host-side benchmark (no backend): reading one LoRA-merged Linear weight through
 * {@link LoraMergedSource#get}, i.e. {@code W + (alpha/r)·B·A} in float32 for a {@code --lora-shape} weight
 * (default 5120×5120, rank 128: one attention projection of the 14B DiT), with W, A and B stored as
 * {@code --lora-dtype} (default bf16, like the official checkpoint) in memory-mapped safetensors files.
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
            description = "benchmarks to run: motion_encoder, dit, lora (default ${DEFAULT-VALUE})")
    List<String> networks;

    @Option(names = "--lora-shape", defaultValue = "5120x5120x128",
            description = "lora benchmark: OUTxINxRANK of the merged weight (default ${DEFAULT-VALUE})")
    String loraShape;

    @Option(names = "--lora-dtype", defaultValue = "bf16",
            description = "lora benchmark: stored dtype of W, A and B: bf16, f16 or f32 (default ${DEFAULT-VALUE})")
    String loraDtype;

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
            if (!n.equals("motion_encoder") && !n.equals("dit") && !n.equals("lora")) {
                throw new IllegalArgumentException("unknown benchmark '" + n + "'; known: motion_encoder, dit, lora");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-40s %-12s %10s %10s %10s %12s  %s%n", "benchmark", "backend", "median ms",
                "min ms", "max ms", "peak RSS MB", "runs");
        if (networks.contains("lora")) {
            boolean reset = resetPeakRss();
            double[] ms = loraMerge();
            int[] dims = parseLoraShape();
            report(out, String.format(Locale.ROOT, "lora merge %dx%d r%d %s", dims[0], dims[1], dims[2], loraDtype),
                    "host/cpu", ms, reset);
        }
        List<String> backendNetworks = networks.stream().filter(n -> !n.equals("lora")).toList();
        if (backendNetworks.isEmpty()) {
            return 0;
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
        for (String name : names) {
            try (Backend backend = Backends.byName(name).open(new BackendOptions(device, 0))) {
                for (String network : backendNetworks) {
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
                    report(out, label, backend.name() + "/" + backend.device(), ms, reset);
                }
            }
        }
        return 0;
    }

    private void report(PrintWriter out, String label, String where, double[] ms, boolean peakWasReset) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        long peak = peakRssBytes();
        out.printf(Locale.ROOT, "%-40s %-12s %10.1f %10.1f %10.1f %12s  %d (+%d warm-up)%n", label, where,
                median(sorted), sorted[0], sorted[sorted.length - 1],
                peak < 0 ? "n/a" : String.format(Locale.ROOT, "%s%.0f", peakWasReset ? "" : ">=", peak / 1e6),
                iterations, warmup);
        out.flush();
    }

    private int[] parseLoraShape() {
        String[] parts = loraShape.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 3) {
                int[] dims = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
                if (dims[0] > 0 && dims[1] > 0 && dims[2] > 0) {
                    return dims;
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--lora-shape must be OUTxINxRANK with positive numbers, got " + loraShape);
    }

    /**
     * Milliseconds of each timed {@link LoraMergedSource#get} of one merged weight; the files are written to a
     * temporary folder (deleted afterwards) and memory-mapped, as a checkpoint would be.
     */
    private double[] loraMerge() {
        int[] dims = parseLoraShape();
        DType dtype = switch (loraDtype.toLowerCase(Locale.ROOT)) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--lora-dtype must be bf16, f16 or f32, got " + loraDtype);
        };
        String module = "blocks.0.self_attn.q";
        Path dir = null;
        try {
            dir = Files.createTempDirectory("wan-animate-bench-lora");
            Path base = dir.resolve("base.safetensors");
            Path lora = dir.resolve("lora.safetensors");
            SafetensorsWriter.write(base, Map.of(module + ".weight",
                    stored(dtype, procedural("bench.w", dims[0], dims[1]), 0.02f)), Map.of());
            Map<String, HostTensor> pair = new LinkedHashMap<>();
            pair.put(module + ".lora_A.weight", stored(dtype, procedural("bench.lora_a", dims[2], dims[1]), 0.02f));
            pair.put(module + ".lora_B.weight", stored(dtype, procedural("bench.lora_b", dims[0], dims[2]), 0.02f));
            SafetensorsWriter.write(lora, pair, Map.of());
            try (SafetensorsFile checkpoint = SafetensorsFile.open(base); LoraAdapter adapter = LoraAdapter.open(lora)) {
                LoraMergedSource merged = new LoraMergedSource(checkpoint, adapter, 1.0);
                String key = module + ".weight";
                for (int i = 0; i < warmup; i++) {
                    merged.get(key);
                }
                double[] ms = new double[iterations];
                for (int i = 0; i < iterations; i++) {
                    long start = System.nanoTime();
                    HostTensor w = merged.get(key);
                    ms[i] = (System.nanoTime() - start) / 1e6;
                    if (w.elementCount() != (long) dims[0] * dims[1]) {
                        throw new IllegalStateException("merged weight has shape " + Shapes.toString(w.shape()));
                    }
                }
                return ms;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the LoRA benchmark files: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** {@code values·scale} stored as {@code dtype}. */
    private static HostTensor stored(DType dtype, HostTensor values, float scale) {
        float[] v = values.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return HostTensor.of(dtype, values.shape(), DTypeConversions.fromFloatArray(dtype, v));
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
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
