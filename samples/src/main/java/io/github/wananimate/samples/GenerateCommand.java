package io.github.wananimate.samples;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.FrameSink;
import io.github.wananimate.api.GenerationRequest;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.ProgressListener;
import io.github.wananimate.api.WanAnimate;
import io.github.wananimate.io.AtomicFiles;
import io.github.wananimate.memory.MemorySize;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.preprocess.demo.DemoSample;
import io.github.wananimate.preprocess.folder.PreprocessFolderReader;
import io.github.wananimate.preprocess.video.Mp4FrameSink;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.video.Frame;
import io.github.wananimate.weights.Fp8Checkpoint;
import io.github.wananimate.weights.ModelFolder;
import io.github.wananimate.weights.ParameterSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What {@code animate} and {@code replace} share: where the models and the driving signals come from, sampling
 * settings, the mp4 output with a progress bar, and the preview sheet. Without {@code --model-dir} the demo
 * weights run; without {@code --input} the bundled demo sample drives them.
 */
abstract class GenerateCommand implements Callable<Integer> {

    /** Demo defaults: 13 frames in 2 clips of 9 (refert 1), 4 steps, as the golden pipeline fixture. */
    static final int DEMO_CLIP_LENGTH = 9;
    static final int DEMO_STEPS = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--model-dir", paramLabel = "<dir>", description = "the Wan2.2-Animate-14B folder (check it with "
            + "`wan-animate inspect`); without it the built-in demo weights run and the output is abstract")
    Path modelDir;

    @Option(names = {"-i", "--input"}, paramLabel = "<dir>", description = "official preprocessing folder (src_pose.mp4,"
            + " src_face.mp4, src_ref.png, and src_bg.mp4 + src_mask.mp4 for replace), from `wan-animate preprocess` or"
            + " the Python preprocess_data.py; without it the bundled 13-frame sample")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "<mp4>", description = "output video (default: demo.mp4 on the "
            + "bundled sample, else <command>.mp4)")
    Path output;

    @Option(names = "--backend", description = "djl or onnx (default: the available one with the highest priority)")
    String backend;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default), cuda or cuda:N")
    String device;

    @Option(names = "--memory-budget", paramLabel = "<size>", description = "device memory the model may use, e.g. "
            + "24G or 512M: DiT blocks that do not fit stream from the mapped checkpoint (default: everything resident)")
    String memoryBudget;

    @Option(names = "--precision", paramLabel = "fp32|bf16|fp16|fp8", description = "DiT weights and autocast "
            + "compute: fp32, bf16 (as the original) or fp16 (default: bf16 on CUDA, fp32 on the CPU); fp8: the DiT "
            + "checkpoint must be a float8 file (ComfyUI / Kijai), kept float8 on the host and the device, computed in bf16")
    String precision;

    @Option(names = "--steps", description = "denoising steps per clip (default 20; 4 on the demo sample)")
    Integer steps;

    @Option(names = "--clip-length", description = "frames per clip, 4n+1 (default 77; 9 on the demo sample)")
    Integer clipLength;

    @Option(names = "--refert", defaultValue = "1", description = "frames carried into the next clip: 1 or 5 "
            + "(default ${DEFAULT-VALUE})")
    int refert;

    @Option(names = "--solver", defaultValue = "dpm++", description = "dpm++ (default), unipc or euler")
    String solver;

    @Option(names = "--shift", defaultValue = "5.0", description = "schedule shift (default ${DEFAULT-VALUE})")
    double shift;

    @Option(names = "--guide-scale", defaultValue = "1.0", description = "classifier-free guidance; above 1 runs a "
            + "second, unconditional pass per step (default ${DEFAULT-VALUE})")
    double guideScale;

    @Option(names = "--prompt", defaultValue = "", description = "text prompt (default: the original's "
            + "\"视频中的人在做动作\", the person in the video is doing actions)")
    String prompt;

    @Option(names = "--negative-prompt", defaultValue = "", description = "used only with --guide-scale > 1 "
            + "(default: the original's shared negative prompt)")
    String negativePrompt;

    @Option(names = "--seed", defaultValue = "-1", description = "noise seed, or -1 for a random one (printed)")
    long seed;

    @Option(names = "--fps", description = "output frame rate (default: the driving frame rate, so timing and any "
            + "soundtrack stay in sync; the original always writes 30)")
    Double fps;

    @Option(names = "--preview", paramLabel = "<png>", description = "also write a sheet: character | driving frame | "
            + "pose | output")
    Path preview;

    @Option(names = "--preview-frame", paramLabel = "N", description = "frame shown in the preview (default: the "
            + "middle one)")
    Integer previewFrame;

    /** The LoRA alpha given on the command line, or null (only {@code replace} has the option). */
    Double loraAlpha() {
        return null;
    }

    /** {@code true} for {@code replace}. */
    abstract boolean replacement();

    /** The request for these signals with the common settings applied. */
    /** {@code --precision fp8}: a float8 DiT checkpoint, run as bf16. */
    static final String FLOAT8 = "fp8";

    /**
     * {@code --precision fp8} promises a float8 DiT checkpoint kept float8: refuse, naming the file and
     * what it stores, when the model folder's DiT is not one (or when there is no model folder).
     */
    private void requireFloat8DiT() {
        if (modelDir == null) {
            throw new ParameterException(spec.commandLine(), "--precision fp8 needs --model-dir with a float8 DiT "
                    + "checkpoint (e.g. Kijai's Wan2_2-Animate-14B_fp8_e4m3fn_scaled_KJ.safetensors); the demo "
                    + "weights are float32");
        }
        ModelFolder folder = ModelFolder.of(modelDir);
        try (ParameterSource dit = folder.dit()) {
            if (!(dit instanceof Fp8Checkpoint)) {
                java.util.Set<DType> dtypes = new java.util.TreeSet<>();
                dit.keys().forEach(k -> dtypes.add(dit.dtype(k)));
                throw new ParameterException(spec.commandLine(), "--precision fp8 needs a float8 DiT checkpoint; "
                        + folder.file(ModelFolder.Component.DIT).orElseThrow() + " stores " + dtypes
                        + " (use --precision bf16 for it)");
            }
        }
    }

    abstract GenerationRequest request(MotionSignals signals, int clipLength, int steps, double outputFps);

    /** Runs {@code request} on {@code model}. */
    abstract GenerationResult generate(WanAnimate model, GenerationRequest request, FrameSink sink,
            ProgressListener listener, CancellationToken token);

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        boolean demoSample = input == null;
        Precision runPrecision = null;
        if (precision != null && precision.trim().equalsIgnoreCase(FLOAT8)) {
            requireFloat8DiT();
            runPrecision = Precision.BF16;
        } else if (precision != null) {
            try {
                runPrecision = Precision.parse(precision);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--precision: " + e.getMessage() + " (or fp8)");
            }
        }
        Inputs inputs = demoSample ? demoInputs() : folderInputs();
        int length = clipLength != null ? clipLength : demoSample ? DEMO_CLIP_LENGTH : GenerationRequest.DEFAULT_CLIP_LENGTH;
        int stepCount = steps != null ? steps : demoSample ? DEMO_STEPS : GenerationRequest.DEFAULT_STEPS;
        // a random seed is drawn here rather than by the model, so that it can be printed before the run starts
        seed = seed >= 0 ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
        GenerationRequest request = request(inputs.signals(), length, stepCount,
                fps != null ? fps : inputs.signals().fps());
        Path target = output != null ? output : Path.of(demoSample ? "demo.mp4" : spec.name() + ".mp4");
        MotionSignals s = inputs.signals();
        int keep = previewFrame != null ? previewFrame : s.frameCount() / 2;
        if (preview != null && (keep < 0 || keep >= s.frameCount())) {
            throw new IllegalArgumentException("--preview-frame must be in 0.." + (s.frameCount() - 1) + ", got " + keep);
        }

        // The outputs are checked before any model is loaded, so a bad -o fails in a second, not after the job.
        checkOutput("-o/--output", target, out);
        if (preview != null) {
            checkOutput("--preview", preview, out);
        }

        if (modelDir == null) {
            out.println("Demo weights: procedural values in the real network structure, generated at start-up. The"
                    + " output is abstract texture, not a person; pass --model-dir <Wan2.2-Animate-14B folder> for"
                    + " real results.");
        }
        out.printf(Locale.ROOT, "Input: %s%n", demoSample ? "the bundled sample (" + s + ")" : input + " (" + s + ")");
        CancellationToken token = new CancellationToken();
        Interrupts interrupts = Interrupts.cancelling(token, spec.commandLine().getErr());
        long budget = memoryBudget == null ? 0 : MemorySize.parse(memoryBudget);
        try (Backend opened = CliBackends.open(backend, device);
                WanAnimate model = modelDir == null ? Models.demo(opened, loraAlpha(), runPrecision, budget)
                        : Models.folder(opened, modelDir, loraAlpha(), runPrecision, budget);
                Mp4FrameSink sink = new Mp4FrameSink(target, s.width(), s.height(), request.outputFps(), keep)) {
            out.println("Models: " + (modelDir == null ? Models.demoDescription(opened)
                    : "Wan2.2-Animate-14B from " + modelDir + " on " + opened.name() + "/" + opened.device())
                    + ", precision " + model.precision().label());
            out.printf(Locale.ROOT, "Request: %s%n", request);
            out.flush();
            TerminalProgressBar bar = new TerminalProgressBar(out, System.console() != null, token);
            GenerationResult result = generate(model, request, sink, bar, token);
            out.printf(Locale.ROOT, "Wrote %s: %d frames of %dx%d at %.2f fps, %d clip(s), seed %d, in %s%n", target,
                    result.frameCount(), result.width(), result.height(), result.fps(), result.clipCount(),
                    result.seed(), TerminalProgressBar.clock(result.elapsed()));
            if (preview != null) {
                writePreview(inputs, sink.kept(), keep);
                out.printf(Locale.ROOT, "Wrote %s (frame %d: character | driving | pose | output)%n", preview, keep);
            }
        } finally {
            interrupts.restore();
        }
        return ExitCodes.OK;
    }

    /** Fails (exit 3) unless {@code file} can be written; says so when its folder had to be created. */
    private static void checkOutput(String option, Path file, PrintWriter out) {
        try {
            if (AtomicFiles.checkWritable(file)) {
                out.println("Created the folder " + file.toAbsolutePath().getParent() + " for " + option + " " + file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(option + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** The driving signals and, where known, the driving frames for the preview. */
    record Inputs(MotionSignals signals, List<Frame> driving) {
    }

    private Inputs demoInputs() {
        DemoSample demo = DemoSample.load();
        return new Inputs(replacement() ? demo.replacementSignals() : demo.signals(), demo.driving());
    }

    private Inputs folderInputs() throws IOException {
        MotionSignals signals = new PreprocessFolderReader().read(input);
        return new Inputs(signals, List.of());
    }

    private void writePreview(Inputs inputs, Frame output, int index) {
        MotionSignals s = inputs.signals();
        List<PreviewSheet.Panel> panels = new ArrayList<>();
        panels.add(new PreviewSheet.Panel("character", s.reference()));
        if (!inputs.driving().isEmpty()) {
            panels.add(new PreviewSheet.Panel("driving frame " + index, inputs.driving().get(index)));
        } else if (s.background().isPresent()) {
            panels.add(new PreviewSheet.Panel("background " + index, s.background().get().get(index)));
        } else {
            panels.add(new PreviewSheet.Panel("face " + index, s.face().get(index)));
        }
        panels.add(new PreviewSheet.Panel("pose " + index, s.pose().get(index)));
        panels.add(new PreviewSheet.Panel("output " + index, output));
        Images.writePng(PreviewSheet.compose(panels, Math.max(256, s.height())), preview);
    }
}
