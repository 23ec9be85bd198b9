package io.github.wananimate.samples;

import io.github.wananimate.errors.BackendUnavailableException;
import io.github.wananimate.memory.MemorySize;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendProvider;
import io.github.wananimate.spi.Backends;
import io.github.wananimate.weights.lora.LoraMergedSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * {@link WanAnimateDiT} forward (face path included) in the bench configuration {@link DiTBench#CONFIG}: width 256,
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
@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Times network forward passes on procedural weights (median of timed runs after warm-up, "
                + "peak resident memory), per backend, in the documented bench configuration: motion encoder (8 "
                + "faces of 512x512), DiT (width 256, 4 heads, 10 blocks, FFN 1024, 2x64x64 latent = 2048 tokens), "
                + "VAE decode (frames/s and peak memory by frame count).",
                "",
                "With --plan it times nothing: it estimates a real Wan2.2-Animate-14B job from FLOP counts, e.g.",
                "  wan-animate bench --plan --gpu h100 --size 1280x720 --frames 77 --steps 20",
                "GPUs: h100, h200, a100, rtx4090, l40s.", ""})
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
            description = "benchmarks to run: motion_encoder, dit, vae, pipeline, lora, stream (15 blocks of width "
                    + "1536 streamed under --memory-budget, default a quarter of its weights, vs all resident), "
                    + "stream14b (5 blocks of the 14B geometry, streamed), fp8 (a DiT from a float8 vs a bf16 file: mapped "
                    + "memory and accuracy) (default ${DEFAULT-VALUE})")
    List<String> networks;

    @Option(names = "--stream-file", paramLabel = "<file>", description = "bf16 checkpoint of the stream benchmarks,"
            + " written there if absent and deleted afterwards unless --keep-stream-file (default: "
            + "/tmp/wan-animate-<benchmark>.bf16.safetensors)")
    Path streamFile;

    @Option(names = "--keep-stream-file", description = "keep the stream benchmark's checkpoint for later runs")
    boolean keepStreamFile;

    @Option(names = "--fp8-files", defaultValue = "both", description = "fp8 benchmark: both (default), float8 or "
            + "bf16 (one checkpoint per process, so that its memory peaks are its own)")
    String fp8Files;

    @Option(names = "--stream-mode", description = "stream and fp8 benchmarks: both (streamed, then resident, outputs "
            + "compared; default of stream and fp8), streamed (default of stream14b, whose resident run needs 9 GiB) or "
            + "resident")
    String streamMode;

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

    @Option(names = "--vae-tile", defaultValue = "0",
            description = "VAE decode in square tiles of this many latent pixels (0: whole frames, as the original and"
                    + " as a run whose budget holds them; default ${DEFAULT-VALUE})")
    int vaeTile;

    @Option(names = "--vae-size", split = ",", defaultValue = "64,256",
            description = "frame sizes for the VAE decode, N (square) or HxW, multiples of 8 (default ${DEFAULT-VALUE};"
                    + " 480x832 with --vae-dim 96 is the released VAE at 480p)")
    List<String> vaeSizes;

    @Option(names = "--vae-frames", split = ",", defaultValue = "17,65",
            description = "frame counts (4k+1) decoded; the first is timed, all are measured for peak memory"
                    + " (default ${DEFAULT-VALUE})")
    List<Integer> vaeFrames;

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

    @Option(names = "--plan", description = "estimate time and memory of a real 14B job instead of timing")
    boolean plan;

    @Option(names = "--gpu", defaultValue = "h100", description = "GPU for --plan: h100, h200, a100, rtx4090, l40s "
            + "(default ${DEFAULT-VALUE})")
    String gpu;

    @Option(names = "--size", defaultValue = "1280x720", description = "WIDTHxHEIGHT for --plan (default "
            + "${DEFAULT-VALUE}; 832x480 for 480p)")
    String size;

    @Option(names = "--frames", defaultValue = "77", description = "driving frames for --plan (default ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--steps", defaultValue = "20", description = "denoising steps for --plan (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--cfg", description = "--plan with classifier-free guidance (guide scale > 1: two forwards per step)")
    boolean cfg;

    @Option(names = "--clip-length", defaultValue = "77", description = "frames per clip for --plan (default "
            + "${DEFAULT-VALUE})")
    int clipLength;

    @Option(names = "--refert", defaultValue = "1", description = "frames carried between clips for --plan, 1 or 5 "
            + "(default ${DEFAULT-VALUE})")
    int refert;

    @Option(names = "--efficiency", description = "fraction of the GPU's bf16 peak the DiT reaches (default: 0.5, "
            + "0.6 on A100, from the official efficiency table)")
    Double efficiency;

    @Option(names = "--precision", defaultValue = "fp32", description = "DiT precision for --plan: fp32 (default: "
            + "what a run computes in today), bf16, fp8 (a float8 checkpoint: 1 byte per weight mapped on the host; "
            + "on the device the float8 codes of the blocks' matrices, the rest bf16)")
    String precision;

    @Option(names = "--memory-budget", description = "device-memory budget, e.g. 24G: --plan prints the residency "
            + "plan under it (default: the GPU's memory); the stream benchmark streams under it (default: a quarter "
            + "of its blocks' weights)")
    String memoryBudget;

    @Override
    public Integer call() {
        if (plan) {
            jobPlan().print(spec.commandLine().getOut());
            return ExitCodes.OK;
        }
        if (iterations < 1 || warmup < 0 || faces < 1) {
            throw new IllegalArgumentException("--iterations and --faces must be >= 1, --warmup >= 0");
        }
        if (ditFrames < 2 || ditSize < 2 || ditSize % 2 != 0) {
            throw new IllegalArgumentException("--dit-frames must be >= 2 and --dit-size even and >= 2");
        }
        for (String n : networks) {
            if (!List.of("motion_encoder", "dit", "vae", "pipeline", "lora", "stream", "stream14b", "fp8")
                    .contains(n)) {
                throw new IllegalArgumentException("unknown benchmark '" + n
                        + "'; known: motion_encoder, dit, vae, pipeline, lora, stream, stream14b, fp8");
            }
        }
        for (int count : vaeFrames) {
            if (count < 1 || (count - 1) % 4 != 0) {
                throw new IllegalArgumentException("--vae-frames must be 4k+1, got " + count);
            }
        }
        BenchReport report = new BenchReport(spec.commandLine().getOut(), iterations, warmup);
        report.printHeader();
        if (networks.contains("lora")) {
            new LoraBench(report, loraShape, loraDtype).run();
        }
        List<String> backendNetworks = networks.stream().filter(n -> !n.equals("lora")).toList();
        if (backendNetworks.isEmpty()) {
            return 0;
        }
        List<StreamBench> streams = new ArrayList<>();
        for (String n : backendNetworks) {
            if (n.startsWith("stream")) {
                boolean medium = n.equals("stream");
                Path target = streamFile != null ? streamFile : Path.of("/tmp", "wan-animate-" + n + ".bf16.safetensors");
                streams.add(new StreamBench(report, spec.commandLine().getOut(), n,
                        medium ? StreamBench.MEDIUM : StreamBench.GEOMETRY_14B, 2, medium ? 16 : 8,
                        memoryBudget == null ? 0 : MemorySize.parse(memoryBudget), streamMode != null ? streamMode : medium ? "both" : "streamed",
                        target));
            }
        }
        List<StreamBench> written = new ArrayList<>();
        try {
            for (StreamBench bench : streams) {
                if (bench.writeCheckpoint()) {
                    written.add(bench);
                }
            }
            runBackends(report, backendNetworks, streams);
        } finally {
            if (!keepStreamFile) {
                written.forEach(StreamBench::deleteCheckpoint);
            }
        }
        return 0;
    }

    private void runBackends(BenchReport report, List<String> backendNetworks, List<StreamBench> streams) {
        for (String name : backendNames()) {
            try (Backend backend = CliBackends.open(name, device)) {
                int stream = 0;
                for (String network : backendNetworks) {
                    switch (network) {
                        case "motion_encoder" -> new MotionEncoderBench(report, faces).run(backend);
                        case "dit" -> new DiTBench(report, ditFrames, ditSize).run(backend);
                        case "vae" -> new VaeBench(report, vaeDim, vaeSizes, vaeFrames, new VaeTiling(vaeTile)).run(backend);
                        case "pipeline" -> new PipelineBench(report, pipelineFrames, pipelineSize, pipelineSteps)
                                .run(backend);
                        case "stream", "stream14b" -> streams.get(stream++).run(backend);
                        case "fp8" -> new Float8Bench(report, spec.commandLine().getOut(), fp8Files,
                                streamMode != null ? streamMode : "both").run(backend);
                        default -> throw new IllegalStateException("unhandled benchmark " + network);
                    }
                }
            }
        }
    }

    /** {@code --backend}, or every available backend on the classpath. */
    private List<String> backendNames() {
        if (backends != null && !backends.isEmpty()) {
            return backends;
        }
        List<String> names = new ArrayList<>();
        Backends.providers().stream().filter(BackendProvider::isAvailable).map(BackendProvider::name)
                .forEach(names::add);
        if (names.isEmpty()) {
            throw new BackendUnavailableException("no backend available on the classpath", null);
        }
        return names;
    }

    JobPlan jobPlan() {
        String[] wh = size.toLowerCase(Locale.ROOT).split("[x*]");
        if (wh.length != 2) {
            throw new IllegalArgumentException("--size must be WIDTHxHEIGHT, e.g. 1280x720, got '" + size + "'");
        }
        int width;
        int height;
        try {
            width = Integer.parseInt(wh[0].trim());
            height = Integer.parseInt(wh[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size must be WIDTHxHEIGHT, e.g. 1280x720, got '" + size + "'");
        }
        Gpu g = Gpu.parse(gpu);
        JobPlan.Precision p;
        try {
            p = JobPlan.Precision.valueOf(precision.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--precision must be bf16, fp8 or fp32, got '" + precision + "'");
        }
        return new JobPlan(width, height, frames, clipLength, refert, steps, cfg, g,
                efficiency == null ? g.efficiency() : efficiency, p,
                memoryBudget == null ? 0 : MemorySize.parse(memoryBudget));
    }
}
