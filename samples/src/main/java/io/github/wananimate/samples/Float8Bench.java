package io.github.wananimate.samples;

import io.github.wananimate.memory.MemoryModel;
import io.github.wananimate.memory.MemorySize;
import io.github.wananimate.memory.ResidencyPlan;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.procedural.ProceduralDiTInputs;
import io.github.wananimate.procedural.ProceduralFloat8;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.Checkpoints;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench --network fp8}: the same procedural DiT (5 blocks of width 1536) from a bf16 file and from a scaled
 * float8 e4m3 file (ComfyUI / Kijai layout, norms and biases bf16), float32 compute, each all resident and with its
 * blocks streamed under the planner's minimum budget. Reported per run: forward time, the peak of file-backed
 * resident memory above the level before loading (the mapped checkpoint's pages: the host copy of the weights), the
 * peak of anonymous memory above it (the device proxy; phases after the first may reuse memory the allocator kept,
 * so theirs can read low), and the output's max |difference| / max |value| against the float32-weights run. The
 * checkpoints are written to the temporary folder and deleted afterwards.
 */
final class Float8Bench {

    static final DiTConfig CONFIG = new DiTConfig(1536, 8960, 256, 4096, 64, 12, 5, 1e-6);
    private static final int FRAMES = 2;
    private static final int SIZE = 16;

    private final BenchReport report;
    private final PrintWriter out;
    private final String files;
    private final String mode;

    /**
     * @param files {@code both}, {@code float8} or {@code bf16}: which checkpoints run (one per process for memory)
     * @param mode {@code both}, {@code streamed} or {@code resident}: which phases run (likewise)
     */
    Float8Bench(BenchReport report, PrintWriter out, String files, String mode) {
        if (!List.of("both", "float8", "bf16").contains(files)) {
            throw new IllegalArgumentException("--fp8-files must be both, float8 or bf16, got '" + files + "'");
        }
        if (!List.of("both", "streamed", "resident").contains(mode)) {
            throw new IllegalArgumentException("--stream-mode must be both, streamed or resident, got '" + mode + "'");
        }
        this.report = report;
        this.out = out;
        this.files = files;
        this.mode = mode;
    }

    void run(Backend backend) {
        WanAnimateDiT dit = new WanAnimateDiT(CONFIG);
        Map<String, HostTensor> inputs = ProceduralDiTInputs.of(CONFIG, FRAMES, SIZE, false);
        String where = BenchReport.where(backend);
        long tokens = MemoryModel.ditTokens(FRAMES, SIZE, SIZE);
        long weights = MemoryModel.weightBytes(dit.parameters(),
                k -> !k.startsWith(MemoryModel.MOTION_ENCODER_PREFIX), MemoryModel.FLOAT32_BYTES);
        long least = MemoryModel.planDiT(dit, false, tokens, 0, Long.MAX_VALUE).minimumBudgetBytes();
        ResidencyPlan plan = MemoryModel.planDiT(dit, false, tokens, 0, Math.max(weights / 4, least));
        Path dir;
        try {
            dir = Files.createTempDirectory("wan-animate-fp8-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path bf16 = dir.resolve("dit.bf16.safetensors");
        Path fp8 = dir.resolve("dit.fp8_e4m3fn_scaled.safetensors");
        try {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            dit.parameters().forEach(spec -> shapes.put(spec.key(), spec.shape()));
            SafetensorsWriter.write(bf16, shapes, DType.BF16, key -> ProceduralWeights.values(key, shapes.get(key), 0));
            ProceduralFloat8.write(dit, ProceduralFloat8.Layout.SCALED_E4M3, "", 0, DType.BF16, fp8, null);
            out.printf(Locale.ROOT, "fp8 on %s: DiT width %d, %d blocks, %d tokens, float32 compute; bf16 file %s, "
                    + "float8 file %s; streamed plan: %s%n", where, CONFIG.dim(), CONFIG.numLayers(), tokens,
                    MemorySize.format(Files.size(bf16)), MemorySize.format(Files.size(fp8)), plan.describe());
            Map<String, float[]> outputs = new LinkedHashMap<>();
            for (Set<String> streamed : List.of(plan.streamedSet(), Set.<String>of())) {
                if (mode.equals(streamed.isEmpty() ? "streamed" : "resident")) {
                    continue;
                }
                if (!streamed.isEmpty() && !backend.streamsParameterGroups()) {
                    out.printf(Locale.ROOT, "  %s cannot stream parameter groups: streamed runs skipped%n", where);
                    continue;
                }
                for (Path file : List.of(fp8, bf16)) {
                    if (!files.equals("both") && (file == fp8) != files.equals("float8")) {
                        continue;
                    }
                    String label = String.format(Locale.ROOT, "fp8 bench, %s file, %s", file == fp8 ? "float8"
                            : "bf16", streamed.isEmpty() ? "all resident" : streamed.size() + " of "
                            + CONFIG.numLayers() + " blocks streamed");
                    outputs.put(label, phase(backend, dit, file, streamed, inputs, label, where));
                }
            }
            // the float32 reference runs last, so that its memory does not raise the phases' baselines
            float[] reference;
            try (ProceduralWeights f32 = ProceduralWeights.forSpecs(0, dit.parameters());
                    LoadedNetwork net = backend.load(dit, f32)) {
                reference = net.run(inputs).get(WanAnimateDiT.OUTPUT).toFloatArray();
            }
            outputs.forEach((label, output) -> {
                double maxDiff = 0;
                double peak = 0;
                for (int i = 0; i < output.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(output[i] - reference[i]));
                    peak = Math.max(peak, Math.abs(reference[i]));
                }
                out.printf(Locale.ROOT, "  %-44s vs float32 weights: max|diff| %.3g, / peak %.3g%n", label, maxDiff,
                        maxDiff / peak);
            });
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (Path p : List.of(bf16, fp8, dir)) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temporary file left behind is not worth failing the benchmark for
                }
            }
        }
    }

    private float[] phase(Backend backend, WanAnimateDiT dit, Path file, Set<String> streamed,
            Map<String, HostTensor> inputs, String label, String where) {
        System.gc();
        long[] before = MemoryMeter.current();
        try (MemoryMeter meter = new MemoryMeter();
                ParameterSource source = Checkpoints.open(file);
                LoadedNetwork net = backend.load(dit, source, streamed)) {
            float[] output = net.run(inputs).get(WanAnimateDiT.OUTPUT).toFloatArray();
            double[] ms = report.time(() -> net.run(inputs));
            long anon = meter.peakAnonKiB() - before[0];
            long mapped = meter.peakFileKiB() - before[1];
            report.row(label, where, ms, String.format(Locale.ROOT, "+%.0f", anon / 1024.0), "");
            out.printf(Locale.ROOT, "  %-44s mapped-file RSS +%s, anonymous +%s above baseline%n", label,
                    MemorySize.format(mapped * 1024), MemorySize.format(anon * 1024));
            out.flush();
            return output;
        }
    }
}
