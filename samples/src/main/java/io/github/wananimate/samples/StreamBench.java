package io.github.wananimate.samples;

import io.github.wananimate.memory.MemoryModel;
import io.github.wananimate.memory.MemorySize;
import io.github.wananimate.memory.ResidencyPlan;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.procedural.ProceduralDiTInputs;
import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.SafetensorsFile;
import io.github.wananimate.weights.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench --network stream} / {@code stream14b}: the DiT with its blocks streamed under a device-memory budget
 * against the same DiT fully resident, on procedural weights written once to a bf16 safetensors file (as real
 * checkpoints are stored) and memory-mapped. Weights compute in float32 (bf16 widened at upload), the precision of
 * every run today. Reported per mode: forward time, the peak of anonymous resident memory above the level before
 * loading (the device proxy on the CPU; mapped checkpoint pages are file-backed and reported apart), host↔device
 * bytes per forward, and for the streamed run the budget, the planner's activation estimate and whether its output
 * equals the resident run's. Each mode's memory is measured in its first phase (streamed first, on a clean
 * process); the modes then alternate for timing (A/B/A/B).
 */
final class StreamBench {

    /**
     * 15 blocks of width 1536 (the Wan 1.3B block geometry: FFN 8960, 12 heads), text rows cut to 64: 3.1 GB of
     * float32 weights, so that the resident run fits next to other work on a 24 GB machine.
     */
    static final DiTConfig MEDIUM = new DiTConfig(1536, 8960, 256, 4096, 64, 12, 15, 1e-6);
    /** The 14B block geometry (width 5120, 40 heads, FFN 13824) with 5 blocks, the fewest the config allows. */
    static final DiTConfig GEOMETRY_14B = new DiTConfig(5120, 13824, 256, 4096, 32, 40, 5, 1e-6);

    private final BenchReport report;
    private final PrintWriter out;
    private final String name;
    private final DiTConfig config;
    private final int frames;
    private final int size;
    private final long budget;
    private final boolean streamedRun;
    private final boolean residentRun;
    private final Path file;

    /**
     * @param budget bytes; 0: a quarter of the DiT's float32 weights (medium) or the plan's minimum (14B)
     * @param mode {@code both} (streamed, then resident, compared), {@code streamed} or {@code resident}
     */
    StreamBench(BenchReport report, PrintWriter out, String name, DiTConfig config, int frames, int size, long budget,
            String mode, Path file) {
        this.report = report;
        this.out = out;
        this.name = name;
        this.config = config;
        this.frames = frames;
        this.size = size;
        this.budget = budget;
        if (!java.util.List.of("both", "streamed", "resident").contains(mode)) {
            throw new IllegalArgumentException("--stream-mode must be both, streamed or resident, got '" + mode + "'");
        }
        this.streamedRun = !mode.equals("resident");
        this.residentRun = !mode.equals("streamed");
        this.file = file;
    }

    /** Writes the procedural bf16 checkpoint unless {@link #file} exists; true when written. */
    boolean writeCheckpoint() {
        if (Files.exists(file)) {
            return false;
        }
        WanAnimateDiT dit = new WanAnimateDiT(config);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        dit.parameters().forEach(spec -> shapes.put(spec.key(), spec.shape()));
        long start = System.nanoTime();
        SafetensorsWriter.write(file, shapes, DType.BF16, key -> ProceduralWeights.values(key, shapes.get(key), 0));
        try {
            out.printf(Locale.ROOT, "%s: wrote %s (%s, bf16) in %.0f s%n", name, file,
                    MemorySize.format(Files.size(file)), (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    void deleteCheckpoint() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    void run(Backend backend) {
        WanAnimateDiT dit = new WanAnimateDiT(config);
        Map<String, HostTensor> inputs = ProceduralDiTInputs.of(config, frames, size, false);
        long tokens = MemoryModel.ditTokens(frames, size, size);
        long weights = MemoryModel.weightBytes(dit.parameters(),
                k -> !k.startsWith(MemoryModel.MOTION_ENCODER_PREFIX), MemoryModel.FLOAT32_BYTES);
        long least = MemoryModel.planDiT(dit, false, tokens, 0, Long.MAX_VALUE).minimumBudgetBytes();
        long chosen = budget > 0 ? budget : config.equals(MEDIUM) ? weights / 4 : least;
        ResidencyPlan plan = MemoryModel.planDiT(dit, false, tokens, 0, chosen);
        String where = BenchReport.where(backend);
        out.printf(Locale.ROOT, "%s on %s: DiT width %d, %d blocks, FFN %d, %d tokens; float32 weights %s (file bf16);"
                + " plan: %s%n", name, where, config.dim(), config.numLayers(), config.ffnDim(), tokens,
                MemorySize.format(weights), plan.describe());
        Runtime jvm = Runtime.getRuntime();
        if (jvm.totalMemory() < jvm.maxMemory()) {
            // A growing Java heap is anonymous memory too, but host memory, never the device's.
            out.printf(Locale.ROOT, "  note: the Java heap can still grow (%s of %s committed) and its growth counts "
                    + "in the anonymous peaks; run with -Xms equal to -Xmx and -XX:+AlwaysPreTouch to keep it out%n",
                    MemorySize.format(jvm.totalMemory()), MemorySize.format(jvm.maxMemory()));
        }
        if (!streamedRun || plan.streams() && !backend.streamsParameterGroups()) {
            if (streamedRun) {
                out.printf(Locale.ROOT, "  %s on %s cannot stream parameter groups: streamed run skipped%n", name,
                        where);
            }
            if (residentRun) {
                try (SafetensorsFile source = SafetensorsFile.open(file)) {
                    Phase resident = phase(backend, dit, source, Set.of(), inputs);
                    report.row(name + ", all resident", where, resident.ms, mib(resident.peakAnonKiB), "");
                    printPhase("resident", resident, plan);
                }
            }
            return;
        }
        try (SafetensorsFile source = SafetensorsFile.open(file)) {
            Phase streamed = phase(backend, dit, source, plan.streamedSet(), inputs);
            Phase resident = residentRun ? phase(backend, dit, source, Set.of(), inputs) : null;
            double[] streamedMs = streamed.ms;
            double[] residentMs = resident == null ? null : resident.ms;
            if (residentRun) {
                // A/B again for timing only (memory freed by the first phases may be reused, so not measured)
                streamedMs = concat(streamedMs, phase(backend, dit, source, plan.streamedSet(), inputs).ms);
                residentMs = concat(residentMs, phase(backend, dit, source, Set.of(), inputs).ms);
            }
            String label = String.format(Locale.ROOT, "%s, %d of %d blocks streamed", name,
                    plan.streamedGroups().size(), config.numLayers());
            report.row(label, where, streamedMs, mib(streamed.peakAnonKiB), "");
            printPhase("streamed", streamed, plan);
            if (resident != null) {
                report.row(name + ", all resident", where, residentMs, mib(resident.peakAnonKiB), "");
                printPhase("resident", resident, plan);
                double maxDiff = 0;
                for (int i = 0; i < streamed.output.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(streamed.output[i] - resident.output[i]));
                }
                out.printf(Locale.ROOT, "  output streamed vs resident: %s (max |diff| %.3g over %d values)%n",
                        java.util.Arrays.equals(streamed.output, resident.output) ? "bit-identical" : "DIFFERENT",
                        maxDiff, streamed.output.length);
                out.printf(Locale.ROOT, "  time streamed / resident (medians): %.2f%n",
                        BenchReport.median(streamedMs) / BenchReport.median(residentMs));
            }
            long limit = plan.budgetBytes() + plan.activationBytes();
            out.printf(Locale.ROOT, "  streamed peak anonymous memory above baseline %s %s budget %s + activation "
                    + "estimate %s = %s%n", MemorySize.format(streamed.peakAnonKiB * 1024),
                    streamed.peakAnonKiB * 1024 <= limit ? "<=" : "EXCEEDS", MemorySize.format(plan.budgetBytes()),
                    MemorySize.format(plan.activationBytes()), MemorySize.format(limit));
            out.flush();
        }
    }

    private void printPhase(String mode, Phase p, ResidencyPlan plan) {
        out.printf(Locale.ROOT, "  %-8s peak anonymous +%s above baseline (device proxy), peak mapped-file RSS %s, "
                + "host<->device %s per forward%n", mode, MemorySize.format(p.peakAnonKiB * 1024),
                MemorySize.format(p.peakFileKiB * 1024), MemorySize.format(p.bytesPerForward));
    }

    private record Phase(double[] ms, long peakAnonKiB, long peakFileKiB, long bytesPerForward, float[] output) {
    }

    private Phase phase(Backend backend, WanAnimateDiT dit, SafetensorsFile source, Set<String> streamed,
            Map<String, HostTensor> inputs) {
        System.gc();
        long[] before = MemoryMeter.current();
        try (MemoryMeter meter = new MemoryMeter();
                LoadedNetwork net = backend.load(dit, source, streamed)) {
            float[] output = net.run(inputs).get(WanAnimateDiT.OUTPUT).toFloatArray();
            long bytes = net.hostDeviceBytes();
            double[] ms = report.time(() -> net.run(inputs));
            return new Phase(ms, meter.peakAnonKiB() - before[0], meter.peakFileKiB(), bytes, output);
        }
    }

    private static double[] concat(double[] a, double[] b) {
        double[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String mib(long kib) {
        return String.format(Locale.ROOT, "+%.0f", kib / 1024.0);
    }
}
