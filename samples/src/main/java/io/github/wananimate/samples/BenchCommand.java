package io.github.wananimate.samples;

import io.github.wananimate.api.AnimationRequest;
import io.github.wananimate.api.Frame;
import io.github.wananimate.api.FrameSequence;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.WanAnimate;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.WanVae;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralModel;
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

    @Option(names = "--network", split = ",", defaultValue = "motion_encoder,dit,vae",
            description = "benchmarks to run: motion_encoder, dit, vae, pipeline (default ${DEFAULT-VALUE})")
    List<String> networks;

    @Option(names = "--pipeline-frames", split = ",", defaultValue = "13,49",
            description = "driving frame counts of the pipeline memory benchmark (default ${DEFAULT-VALUE})")
    List<Integer> pipelineFrames;

    @Option(names = "--pipeline-size", defaultValue = "64",
            description = "frame size of the pipeline benchmark, multiple of 16 (default ${DEFAULT-VALUE})")
    int pipelineSize;

    @Option(names = "--pipeline-steps", defaultValue = "2",
            description = "denoising steps per clip in the pipeline benchmark (default ${DEFAULT-VALUE})")
    int pipelineSteps;

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
            if (!List.of("motion_encoder", "dit", "vae", "pipeline").contains(n)) {
                throw new IllegalArgumentException("unknown benchmark '" + n
                        + "'; known: motion_encoder, dit, vae, pipeline");
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
        out.printf(Locale.ROOT, "%-40s %-12s %10s %10s %10s %12s  %s%n", "benchmark", "backend", "median ms",
                "min ms", "max ms", "peak RSS MB", "runs");
        for (String name : names) {
            try (Backend backend = Backends.byName(name).open(new BackendOptions(device, 0))) {
                for (String network : networks) {
                    if (network.equals("vae")) {
                        vae(out, backend);
                        continue;
                    }
                    if (network.equals("pipeline")) {
                        pipeline(out, backend);
                        continue;
                    }
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

    private void row(PrintWriter out, String label, Backend backend, double[] ms, String note) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        out.printf(Locale.ROOT, "%-40s %-12s %10.1f %10.1f %10.1f %12s  %d (+%d warm-up)%s%n", label,
                backend.name() + "/" + backend.device(), median(sorted), sorted[0], sorted[sorted.length - 1], "",
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
                    System.gc();
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

    /**
     * Peak memory of whole generations of growing length ({@code --pipeline-frames}) with the tiny procedural model
     * ({@link ProceduralModel#tiny}): animation, clips of 9 frames (r = 1), {@code --pipeline-steps} DPM++ steps.
     * The driving frames are made on demand (as a video decoder hands them out) and the output frames are
     * discarded by the sink, so what is measured is the pipeline's own working set. Before each run the kernel's
     * peak-RSS counter is reset (Linux); the sink collects garbage after every frame so that the figure is live
     * memory rather than uncollected heap. A warm-up run of the first length comes first.
     */
    private void pipeline(PrintWriter out, Backend backend) {
        if (pipelineSize % 16 != 0 || pipelineSteps < 1) {
            throw new IllegalArgumentException("--pipeline-size must be a multiple of 16 and --pipeline-steps >= 1");
        }
        ProceduralModel model = ProceduralModel.tiny(0);
        try (WanAnimate wan = WanAnimate.builder().dit(model.dit(), model.ditWeights())
                .vae(model.vae(), model.vaeWeights()).clip(model.clip(), model.clipWeights())
                .textEncoder(model.textEncoder()).backend(backend).build()) {
            generate(wan, pipelineFrames.get(0));
            long first = -1;
            for (int frames : pipelineFrames) {
                System.gc();
                resetPeakRss();
                long before = residentKiB("VmRSS");
                long start = System.nanoTime();
                GenerationResult result = generate(wan, frames);
                double seconds = (System.nanoTime() - start) / 1e9;
                long peak = residentKiB("VmHWM");
                if (first < 0) {
                    first = peak;
                }
                out.printf(Locale.ROOT, "  pipeline %s %d frames %dx%d (%d clips, %d steps): %.1f s, peak RSS %s MiB"
                        + " (%s MiB before the run)%s%n", backend.name(), frames, pipelineSize, pipelineSize,
                        result.clipCount(), pipelineSteps, seconds,
                        peak < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", peak / 1024.0),
                        before < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", before / 1024.0),
                        peak < 0 || first <= 0 ? "" : String.format(Locale.ROOT, ", %+.1f%% vs %d frames",
                                100.0 * (peak - first) / first, pipelineFrames.get(0)));
                out.flush();
            }
        }
    }

    private GenerationResult generate(WanAnimate wan, int frames) {
        MotionSignals signals = MotionSignals.builder()
                .pose(new ProceduralFrames("bench.pose", frames, pipelineSize, pipelineSize))
                .face(new ProceduralFrames("bench.face", frames, MotionSignals.FACE_SIZE, MotionSignals.FACE_SIZE))
                .reference(new ProceduralFrames("bench.reference", 1, pipelineSize, pipelineSize).get(0))
                .build();
        AnimationRequest request = AnimationRequest.builder(signals).clipLength(9).refertNum(1)
                .steps(pipelineSteps).seed(0).build();
        return wan.animate(request, (index, frame) -> System.gc());
    }

    /** Frames made on demand from {@code u(name.i, k)}, none kept: a stand-in for a decoder reading a file. */
    private record ProceduralFrames(String name, int size, int width, int height) implements FrameSequence {
        @Override
        public Frame get(int index) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("frame " + index + " of a sequence of " + size);
            }
            byte[] rgb = new byte[3 * width * height];
            long key = Procedural.fnv1a64(name + "." + index);
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) (int) ((Procedural.uniform(key, i) + 1) * 127.5);
            }
            return Frame.ofRgb(width, height, rgb);
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
