package io.github.wananimate.samples;

import io.github.wananimate.memory.MemoryBudgetException;
import io.github.wananimate.memory.MemoryModel;
import io.github.wananimate.memory.MemorySize;
import io.github.wananimate.memory.ResidencyPlan;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.pipeline.ClipPlan;
import io.github.wananimate.procedural.ProceduralFloat8;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * A FLOP-based estimate of time and memory for a real Wan2.2-Animate-14B job, with the arithmetic of ANCHORS.md
 * §2.2–2.3. The DiT forward is counted per block (FLOP = 2 × multiply-accumulates), N tokens, width D, FFN width F,
 * C = 769 context tokens (257 CLIP + 512 text):
 * <pre>
 *   self-attention projections 4·N·D²,  attention core 2·N²·D,
 *   cross-attention 2·N·D² + 2·C·D² + 2·N·C·D,  FFN 2·N·D·F            (× 40 blocks)
 *   face adapter 2·N·D² + 5·T·2·D² + 2·N·5·D                           (× 8 blocks, T video latent frames)
 * </pre>
 * Time = forwards × FLOP ÷ (peak × efficiency). Only the DiT is timed: it is ≥ 95% of a 14B job's compute; VAE,
 * umT5 and CLIP time, host↔device copies and offloading are not modelled.
 *
 * <p>Memory: the runtime's own {@link MemoryModel} (weights counted from the networks' parameter lists, the
 * activation estimate of {@link MemoryModel#ditActivationBytes}, the rough VAE decode working set), and the
 * residency plan a run under the GPU's memory or {@code --memory-budget} would make
 * ({@link MemoryModel#planGeneration}). The default precision is fp32, what a run computes in today.
 *
 * @param width frame width (multiple of 16)
 * @param height frame height (multiple of 16)
 * @param frames driving frames
 * @param clipLength frames per clip (4n+1)
 * @param continuationFrames frames carried between clips (1 or 5)
 * @param steps denoising steps per clip
 * @param cfg whether classifier-free guidance runs (two forwards per step)
 * @param gpu the GPU
 * @param efficiency the fraction of the GPU's peak the DiT reaches
 * @param precision the DiT's weight and activation precision
 * @param memoryBudget the device-memory budget in bytes for the residency plan; 0: the GPU's memory
 */
record JobPlan(int width, int height, int frames, int clipLength, int continuationFrames, int steps, boolean cfg, Gpu gpu,
        double efficiency, Precision precision, long memoryBudget) {

    static final int DIM = 5120;
    static final int FFN_DIM = 13824;
    static final int BLOCKS = 40;
    static final int FACE_BLOCKS = 8;
    static final int CONTEXT_TOKENS = 257 + 512;
    static final int FACE_TOKENS_PER_FRAME = 5;
    /** NETWORKS.md §8.2. */
    static final long UMT5_PARAMETERS = 5_680_910_336L;
    static final WanAnimateDiT DIT = new WanAnimateDiT(DiTConfig.WAN_ANIMATE_14B);

    /**
     * DiT weight and activation precision; fp32 computes at the TF32 rate, half the BF16 peak. FP8 is what the
     * runtime does with a float8 checkpoint ({@code --precision fp8}) on a backend that keeps float8 codes: the
     * blocks' matrices (see {@link #float8Codes}) stay 1 byte per weight on the device and are looked up into bf16
     * when used; the rest is bf16.
     */
    enum Precision {
        BF16(2, 2, 1.0, 2), FP8(2, 2, 1.0, 1), FP32(4, 4, 0.5, 4);

        final int weightBytes;
        final int activationBytes;
        final double peakFraction;
        /** Bytes per weight of the checkpoint in host memory (the mapped file). */
        final int checkpointBytes;

        Precision(int weightBytes, int activationBytes, double peakFraction, int checkpointBytes) {
            this.weightBytes = weightBytes;
            this.activationBytes = activationBytes;
            this.peakFraction = peakFraction;
            this.checkpointBytes = checkpointBytes;
        }
    }

    JobPlan {
        if (width <= 0 || height <= 0 || width % 16 != 0 || height % 16 != 0) {
            throw new IllegalArgumentException("--size must be WIDTHxHEIGHT with both multiples of 16, got "
                    + width + "x" + height);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        }
        if (!(efficiency > 0 && efficiency <= 1)) {
            throw new IllegalArgumentException("--efficiency must be in (0, 1], got " + efficiency);
        }
    }

    ClipPlan clips() {
        return ClipPlan.of(frames, clipLength, continuationFrames);
    }

    /** Video latent frames of one clip, T = (L − 1)/4 + 1. */
    int videoLatentFrames() {
        return (clipLength - 1) / 4 + 1;
    }

    /** DiT sequence length of one clip: (T + 1 reference) × H/16 × W/16. */
    long tokens() {
        return (long) (videoLatentFrames() + 1) * (height / 16) * (width / 16);
    }

    /** The attention-core FLOP of one forward (QKᵀ and AV of every block). */
    double attentionCoreFlop() {
        double n = tokens();
        return 2 * BLOCKS * (2 * n * n * DIM);
    }

    /** The face adapter's FLOP of one forward. */
    double faceAdapterFlop() {
        double n = tokens();
        double d = DIM;
        double macs = 2 * n * d * d + FACE_TOKENS_PER_FRAME * videoLatentFrames() * 2 * d * d
                + 2 * n * FACE_TOKENS_PER_FRAME * d;
        return 2 * FACE_BLOCKS * macs;
    }

    /** FLOP of one DiT forward. */
    double flopPerForward() {
        double n = tokens();
        double d = DIM;
        double c = CONTEXT_TOKENS;
        double blockMacs = 4 * n * d * d + 2 * n * n * d + (2 * n * d * d + 2 * c * d * d + 2 * n * c * d)
                + 2 * n * d * FFN_DIM;
        return 2 * BLOCKS * blockMacs + faceAdapterFlop();
    }

    /** DiT forwards of the job: clips × steps × (2 with CFG). */
    long forwards() {
        return (long) clips().clipCount() * steps * (cfg ? 2 : 1);
    }

    /** Effective FLOP/s: peak × precision rate × efficiency. */
    double effectiveFlops() {
        return gpu.bf16Tflops() * 1e12 * precision.peakFraction * efficiency;
    }

    double secondsPerForward() {
        return flopPerForward() / effectiveFlops();
    }

    double ditSeconds() {
        return forwards() * secondsPerForward();
    }

    /**
     * The DiT's weights without its motion encoder (a network of its own in a run), at the precision's width (float8
     * codes at 1 byte for FP8).
     */
    double ditWeightBytes() {
        Predicate<String> dit = key -> !key.startsWith(MemoryModel.MOTION_ENCODER_PREFIX);
        Predicate<String> codes = float8Codes();
        return MemoryModel.weightBytes(DIT.parameters(), dit.and(codes.negate()), precision.weightBytes)
                + MemoryModel.weightBytes(DIT.parameters(), dit.and(codes), MemoryModel.FLOAT8_BYTES);
    }

    /**
     * The DiT keys the plan takes a float8 checkpoint to hold as float8 (none unless FP8): the blocks' matrices. An
     * assumption: files differ in what else they quantise (embeddings, time projection, head); a run counts the file's
     * own float8 keys.
     */
    private Predicate<String> float8Codes() {
        if (precision != Precision.FP8) {
            return key -> false;
        }
        Set<String> keys = DIT.parameters().stream()
                .filter(spec -> spec.key().startsWith("blocks.") && ProceduralFloat8.quantised(spec))
                .map(ParameterSpec::key).collect(Collectors.toSet());
        return keys::contains;
    }

    /** The DiT checkpoint's weights (motion encoder excluded) in host memory, as the file stores them. */
    double ditCheckpointBytes() {
        return MemoryModel.weightBytes(DIT.parameters(), key -> !key.startsWith(MemoryModel.MOTION_ENCODER_PREFIX),
                precision.checkpointBytes);
    }

    static double umt5Bytes() {
        return UMT5_PARAMETERS * 2.0;
    }

    /** The motion encoder in float32, resident for the whole run. */
    static double motionEncoderBytes() {
        return MemoryModel.motionEncoderBytes();
    }

    /** The VAE in float32 with its decode working set, bound only while it encodes or decodes. */
    double vaeOnDemandBytes() {
        return MemoryModel.vaeOnDemandBytes(VaeConfig.official(), width, height);
    }

    /** The CLIP tower in float32 with its activations, bound only while it encodes the reference. */
    static double clipOnDemandBytes() {
        return MemoryModel.clipOnDemandBytes(ClipVisionConfig.vitHuge14());
    }

    double ditActivationBytes() {
        return MemoryModel.ditActivationBytes(DIT.config(), tokens(), precision.activationBytes);
    }

    double vaeDecodeBytes() {
        return MemoryModel.vaeDecodeBytes(width, height);
    }

    /**
     * The residency plan a run with {@code budgetBytes} would make for this job (the runtime's own
     * {@link MemoryModel#planBudgetedGeneration}; at fp32 exactly what the run does, at other precisions a what-if).
     */
    ResidencyPlan residency(long budgetBytes) {
        return MemoryModel.planBudgetedGeneration(DIT, VaeConfig.official(), ClipVisionConfig.vitHuge14(), width,
                height, clipLength, budgetBytes, heldBytesPerElement(), precision.activationBytes);
    }

    /** How a run with {@code budgetBytes} would decode: whole frames unless the budget needs tiles. */
    VaeTiling decodeTiling(long budgetBytes) {
        return MemoryModel.vaeDecodeTiling(DIT, VaeConfig.official(), ClipVisionConfig.vitHuge14(), width, height,
                clipLength, budgetBytes, heldBytesPerElement(), precision.activationBytes);
    }

    private ToIntFunction<String> heldBytesPerElement() {
        Predicate<String> codes = float8Codes();
        return key -> codes.test(key) ? MemoryModel.FLOAT8_BYTES : precision.weightBytes;
    }

    /** Peak while denoising and decoding, umT5 released after encoding: the run's all-resident need. */
    double sequentialPeakBytes() {
        return residency(Long.MAX_VALUE).allResidentBytes();
    }

    /** Peak with umT5 also resident for the whole job. */
    double allResidentPeakBytes() {
        return sequentialPeakBytes() + umt5Bytes();
    }

    void print(PrintWriter out) {
        ClipPlan plan = clips();
        out.printf(Locale.ROOT, "Plan: %dx%d, %d frames -> %d clip(s) of %d (refert %d), %d steps, CFG %s -> %d DiT"
                + " forwards%n", width, height, frames, plan.clipCount(), clipLength, continuationFrames, steps,
                cfg ? "on" : "off", forwards());
        out.printf(Locale.ROOT, "  %-26s %,d (%d latent frames x %d x %d)%n", "tokens per forward", tokens(),
                videoLatentFrames() + 1, height / 16, width / 16);
        out.printf(Locale.ROOT, "  %-26s %.2f PFLOP (attention core %.1f%%, face adapter %.3f PFLOP)%n",
                "FLOP per forward", flopPerForward() / 1e15, 100 * attentionCoreFlop() / flopPerForward(),
                faceAdapterFlop() / 1e15);
        out.printf(Locale.ROOT, "  %-26s %s: %.0f TFLOP/s bf16 dense%s x %.0f%% efficiency = %.0f TFLOP/s%n", "GPU",
                gpu.label(), gpu.bf16Tflops(), precision == Precision.FP32 ? " x 0.5 (TF32)" : "",
                100 * efficiency, effectiveFlops() / 1e12);
        out.printf(Locale.ROOT, "  %-26s %.1f s per forward, %.0f s in all (%.1f min)%n", "DiT time",
                secondsPerForward(), ditSeconds(), ditSeconds() / 60);
        String p = precision.name().toLowerCase(Locale.ROOT);
        out.printf(Locale.ROOT, "  memory (GB)%n");
        if (precision == Precision.FP8) {
            out.printf(Locale.ROOT, "    %-24s %6.2f  (float8 codes of the blocks' matrices, the rest bf16; "
                    + "looked up into bf16 when used)%n", "DiT weights", ditWeightBytes() / 1e9);
            out.printf(Locale.ROOT, "    %-24s %6.2f  (host, float8 checkpoint mapped; not device memory)%n",
                    "DiT checkpoint", ditCheckpointBytes() / 1e9);
        } else {
            out.printf(Locale.ROOT, "    %-24s %6.2f  (%s)%n", "DiT weights", ditWeightBytes() / 1e9, p);
        }
        out.printf(Locale.ROOT, "    %-24s %6.2f  (fp32; resident for the run)%n", "motion encoder",
                motionEncoderBytes() / 1e9);
        out.printf(Locale.ROOT, "    %-24s %6.2f  (fp32 with activations; bound to encode the reference, in the "
                + "activation reserve)%n", "CLIP", clipOnDemandBytes() / 1e9);
        out.printf(Locale.ROOT, "    %-24s %6.2f  (fp32 with the decode working set; bound to encode and decode, in "
                + "the activation reserve)%n", "VAE", vaeOnDemandBytes() / 1e9);
        out.printf(Locale.ROOT, "    %-24s %6.2f  (bf16; released after encoding the prompt)%n", "umT5",
                umt5Bytes() / 1e9);
        out.printf(Locale.ROOT, "    %-24s %6.2f  (%s, estimate of the memory model)%n", "DiT activations",
                ditActivationBytes() / 1e9, precision.activationBytes == 4 ? "fp32" : "bf16");
        if (precision == Precision.FP8) {
            out.printf(Locale.ROOT, "    %-24s %6.2f  (the largest float8 weight's index and values, with the DiT's "
                    + "activations)%n", "float8 lookup", MemoryModel.float8LookupBytes(DIT.parameters(), float8Codes())
                    / 1e9);
        }
        out.printf(Locale.ROOT, "    %-24s %6.2f  (rough)%n", "VAE decode working set", vaeDecodeBytes() / 1e9);
        out.printf(Locale.ROOT, "    %-24s %6.2f  (umT5 released after encoding)%n", "peak", sequentialPeakBytes() / 1e9);
        out.printf(Locale.ROOT, "    %-24s %6.2f%n", "peak, umT5 resident too", allResidentPeakBytes() / 1e9);
        long budget = memoryBudget > 0 ? memoryBudget : (long) (gpu.memoryGb() * 1e9);
        String source = memoryBudget > 0 ? "--memory-budget" : "the " + gpu.label() + "'s memory";
        try {
            ResidencyPlan r = residency(budget);
            out.printf(Locale.ROOT, "  residency under %s (%s): %d of %d blocks resident, %d streamed from host "
                    + "memory (%s uploaded per forward)%n", source, MemorySize.format(budget), r.residentGroups().size(),
                    DiTConfig.WAN_ANIMATE_14B.numLayers(), r.streamedGroups().size(),
                    MemorySize.format(r.streamedGroupBytes()));
            VaeTiling tiling = decodeTiling(budget);
            int stride = VaeConfig.official().spaceStride();
            out.printf(Locale.ROOT, "  VAE decode: %s%n", tiling.splits(height / stride, width / stride)
                    ? "in tiles of " + tiling.tile() + " latent pixels (the whole frame does not fit)" : "whole frames");
        } catch (MemoryBudgetException e) {
            out.printf(Locale.ROOT, "  does NOT fit under %s: %s%n", source, e.getMessage());
        }
        out.println("  Assumptions: FLOP model and parameter counts of ANCHORS.md §2.2-2.3; only the DiT is timed"
                + " (VAE, umT5, CLIP, copies and offload are not);");
        out.printf(Locale.ROOT, "  efficiency %.0f%% of peak (%s).%n", 100 * efficiency,
                efficiency == gpu.efficiency() ? "default for this GPU: " + (gpu == Gpu.H100 || gpu == Gpu.A100
                        ? "implied by the official Wan2.2 efficiency table" : "assumed, not measured")
                        : "set with --efficiency");
        out.flush();
    }
}
