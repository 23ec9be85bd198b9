package io.github.wananimate.memory;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterGroup;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.clip.ClipVisionConfig;
import io.github.wananimate.nn.clip.ClipVisionEncoder;
import io.github.wananimate.nn.dit.DiTConfig;
import io.github.wananimate.nn.dit.WanAnimateDiT;
import io.github.wananimate.nn.face.MotionEncoder;
import io.github.wananimate.nn.vae.VaeConfig;
import io.github.wananimate.nn.vae.VaeTiling;
import io.github.wananimate.nn.vae.VaeWeights;
import io.github.wananimate.tensor.Shapes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The bytes a run holds on its device, for the runtime's residency plan and the job planner alike (one model, so
 * that what {@code bench --plan} prints is what a run with {@code --memory-budget} does).
 *
 * <p>Weights count at the bytes per element they are resident in: what the backend holds for the weight's stored
 * dtype ({@link io.github.wananimate.spi.Backend#heldBytesPerElement}; {@link #FLOAT32_BYTES} unless said otherwise,
 * bf16 weights being widened when uploaded on most backends), and float8 weights on a backend that keeps their
 * one-byte codes on the device at {@link #FLOAT8_BYTES} (each is looked up into a float32 copy when used,
 * {@link #float8LookupBytes}). Activations are an estimate of one DiT forward's live tensors on an eager backend (see
 * {@link #ditActivationBytes}).
 */
public final class MemoryModel {

    /** Bytes per element of a float8 weight held as its codes ({@code ParameterSource.float8}). */
    public static final int FLOAT8_BYTES = 1;
    /**
     * Bytes per element of the largest float8 weight while it is looked up: its int64 index and its float32 values
     * (the djl form; onnx indexes in int32).
     */
    static final int FLOAT8_LOOKUP_BYTES = 8 + 4;

    /** Bytes per element of resident weights and activations at today's compute precision. */
    public static final int FLOAT32_BYTES = 4;
    /** Keys of the motion encoder inside the DiT checkpoint: read by the DiT only when it gets face pixels. */
    public static final String MOTION_ENCODER_PREFIX = "motion_encoder.";
    /** The image context's tokens (CLIP's 257). */
    private static final int IMAGE_TOKENS = DiTConfig.CLIP_TOKENS;

    private MemoryModel() {
    }

    /**
     * {@return bytes of the parameters of {@code specs} whose key passes {@code include}, at {@code bytesPerElement}}
     *
     * @param specs the parameter specs
     * @param include which keys count
     * @param bytesPerElement bytes per element
     */
    public static long weightBytes(List<ParameterSpec> specs, Predicate<String> include, int bytesPerElement) {
        long elements = 0;
        for (ParameterSpec spec : specs) {
            if (include.test(spec.key())) {
                elements += Shapes.elementCount(spec.shape());
            }
        }
        return elements * bytesPerElement;
    }

    /**
     * {@return bytes of all of {@code network}'s parameters at {@code bytesPerElement}}
     *
     * @param network the network
     * @param bytesPerElement bytes per element
     */
    public static long weightBytes(Network network, int bytesPerElement) {
        return weightBytes(network.parameters(), key -> true, bytesPerElement);
    }

    /**
     * DiT tokens of one clip of a generation at {@code width × height} with {@code clipLength} frames: (video
     * latent frames + the reference frame) × H/16 × W/16.
     *
     * @param width width in pixels
     * @param height height in pixels
     * @param clipLength frames per clip
     * @return the clip tokens
     */
    public static long clipTokens(int width, int height, int clipLength) {
        return ((clipLength - 1) / 4 + 2L) * (height / 16) * (width / 16);
    }

    /** Channels of the VAE decoder's widest full-resolution feature map. */
    private static final int VAE_FULL_RES_CHANNELS = 192;

    /**
     * A rough VAE decode working set: three live float32 tensors of the decoder's widest full-resolution feature
     * map (192 channels × 4 frames × H × W). The decoder's real peak depends on the backend's allocator.
     *
     * @param width width in pixels
     * @param height height in pixels
     * @return the bytes
     */
    public static long vaeDecodeBytes(int width, int height) {
        return 3L * VAE_FULL_RES_CHANNELS * 4 * width * height * FLOAT32_BYTES;
    }

    /**
     * The residency plan of a generation under a budget, as {@code WanAnimate} runs it: the motion encoder resident
     * for the whole run ({@link #motionEncoderBytes}); the CLIP tower ({@link #clipOnDemandBytes}) and the VAE
     * ({@link #vaeOnDemandBytes}) bound only while they encode or decode, in the room the DiT's activations take
     * while it denoises.
     *
     * @param dit the DiT
     * @param vae the VAE's configuration
     * @param clip the CLIP tower's configuration
     * @param width generation width
     * @param height generation height
     * @param clipLength frames per clip
     * @param budgetBytes the device-memory budget
     * @return the plan
     * @throws MemoryBudgetException when the budget cannot hold the request, naming the minimum
     */
    public static ResidencyPlan planBudgetedGeneration(WanAnimateDiT dit, VaeConfig vae, ClipVisionConfig clip,
            int width, int height, int clipLength, long budgetBytes) {
        return planBudgetedGeneration(dit, vae, clip, width, height, clipLength, budgetBytes, FLOAT32_BYTES,
                FLOAT32_BYTES);
    }

    /**
     * {@link #planBudgetedGeneration(WanAnimateDiT, VaeConfig, ClipVisionConfig, int, int, int, long)} with the DiT's
     * weights and activations at other widths (the planner's what-ifs).
     *
     * @param dit the DiT
     * @param vae the VAE's configuration
     * @param clip the CLIP tower's configuration
     * @param width generation width
     * @param height generation height
     * @param clipLength frames per clip
     * @param budgetBytes the device-memory budget
     * @param weightBytesPerElement the DiT's weight width
     * @param activationBytesPerElement the DiT's activation width
     * @return the plan
     */
    public static ResidencyPlan planBudgetedGeneration(WanAnimateDiT dit, VaeConfig vae, ClipVisionConfig clip,
            int width, int height, int clipLength, long budgetBytes, int weightBytesPerElement,
            int activationBytesPerElement) {
        return planBudgetedGeneration(dit, vae, clip, width, height, clipLength, budgetBytes,
                key -> weightBytesPerElement, activationBytesPerElement);
    }

    /**
     * The residency plan of a generation: the DiT fed precomputed motion codes (its motion encoder is a network of
     * its own, in {@code otherResidentBytes} with the VAE and CLIP), and an activation reserve large enough for the
     * DiT forward of one clip and for the VAE decode, which runs while the DiT stays bound.
     *
     * @param dit the DiT
     * @param otherResidentBytes bytes of other networks resident for the whole run
     * @param width width in pixels
     * @param height height in pixels
     * @param clipLength frames per clip
     * @param budgetBytes the device-memory budget in bytes
     * @return the result
     */
    public static ResidencyPlan planGeneration(WanAnimateDiT dit, long otherResidentBytes, int width, int height,
            int clipLength, long budgetBytes) {
        return planGeneration(dit, otherResidentBytes, width, height, clipLength, budgetBytes, FLOAT32_BYTES,
                FLOAT32_BYTES);
    }

    /**
     * {@link #planGeneration(WanAnimateDiT, long, int, int, int, long)} with the DiT's weights and activations at
     * other widths (for the planner's what-if of lower precisions; runs use float32).
     *
     * @param dit the DiT
     * @param otherResidentBytes bytes of other networks resident for the whole run
     * @param width width in pixels
     * @param height height in pixels
     * @param clipLength frames per clip
     * @param budgetBytes the device-memory budget in bytes
     * @param weightBytesPerElement bytes per DiT weight
     * @param activationBytesPerElement bytes per DiT activation
     * @return the result
     */
    public static ResidencyPlan planGeneration(WanAnimateDiT dit, long otherResidentBytes, int width, int height,
            int clipLength, long budgetBytes, int weightBytesPerElement, int activationBytesPerElement) {
        return planGeneration(dit, otherResidentBytes, vaeDecodeBytes(width, height), width, height, clipLength,
                budgetBytes, key -> weightBytesPerElement, activationBytesPerElement);
    }

    /**
     * The plan with what runs besides the DiT only for a moment ({@code onDemandBytes}: the VAE's decode working
     * set, or networks bound before denoising starts and released after, with their weights and activations): it
     * shares the activation reserve, which is the larger of the DiT forward and it.
     */
    private static ResidencyPlan planGeneration(WanAnimateDiT dit, long otherResidentBytes, long onDemandBytes,
            int width, int height, int clipLength, long budgetBytes, ToIntFunction<String> heldBytesPerElement,
            int activationBytesPerElement) {
        long ditForward = ditForwardBytes(dit, width, height, clipLength, heldBytesPerElement,
                activationBytesPerElement);
        long activations = Math.max(ditForward, onDemandBytes);
        return plan(dit, key -> !key.startsWith(MOTION_ENCODER_PREFIX), otherResidentBytes, activations, budgetBytes,
                heldBytesPerElement);
    }

    /** The DiT forward's activations for one clip, with the lookup of its largest float8 weight. */
    private static long ditForwardBytes(WanAnimateDiT dit, int width, int height, int clipLength,
            ToIntFunction<String> heldBytesPerElement, int activationBytesPerElement) {
        return ditActivationBytes(dit.config(), clipTokens(width, height, clipLength), activationBytesPerElement)
                + float8LookupBytes(dit.parameters(), key -> heldBytesPerElement.applyAsInt(key) == FLOAT8_BYTES);
    }

    /**
     * {@link #planBudgetedGeneration(WanAnimateDiT, VaeConfig, ClipVisionConfig, int, int, int, long)} with each DiT
     * weight at the width the backend holds it in: a float8 weight whose one-byte codes the backend keeps on its
     * device at {@link #FLOAT8_BYTES} (its lookup then joins the DiT forward's activations), the others at
     * {@link io.github.wananimate.spi.Backend#heldBytesPerElement} of their stored dtype.
     *
     * @param dit the DiT
     * @param vae the VAE's configuration
     * @param clip the CLIP tower's configuration
     * @param width generation width
     * @param height generation height
     * @param clipLength frames per clip
     * @param budgetBytes the device-memory budget
     * @param heldBytesPerElement the bytes per element of each DiT key's weight on the device
     * @return the plan
     * @throws MemoryBudgetException when the budget cannot hold the request, naming the minimum
     */
    public static ResidencyPlan planBudgetedGeneration(WanAnimateDiT dit, VaeConfig vae, ClipVisionConfig clip,
            int width, int height, int clipLength, long budgetBytes, ToIntFunction<String> heldBytesPerElement) {
        return planBudgetedGeneration(dit, vae, clip, width, height, clipLength, budgetBytes, heldBytesPerElement,
                FLOAT32_BYTES);
    }

    /**
     * {@link #planBudgetedGeneration(WanAnimateDiT, VaeConfig, ClipVisionConfig, int, int, int, long, ToIntFunction)}
     * with the activations at another width (the planner's what-ifs).
     *
     * @param dit the DiT
     * @param vae the VAE's configuration
     * @param clip the CLIP tower's configuration
     * @param width generation width
     * @param height generation height
     * @param clipLength frames per clip
     * @param budgetBytes the device-memory budget
     * @param heldBytesPerElement the bytes per element of each DiT key's weight, {@link #FLOAT8_BYTES} for float8 codes
     * @param activationBytesPerElement the DiT's activation width
     * @return the plan
     * @throws MemoryBudgetException when the budget cannot hold the request, naming the minimum
     */
    public static ResidencyPlan planBudgetedGeneration(WanAnimateDiT dit, VaeConfig vae, ClipVisionConfig clip,
            int width, int height, int clipLength, long budgetBytes, ToIntFunction<String> heldBytesPerElement,
            int activationBytesPerElement) {
        VaeTiling tiling = vaeDecodeTiling(dit, vae, clip, width, height, clipLength, budgetBytes,
                heldBytesPerElement, activationBytesPerElement);
        return planGeneration(dit, motionEncoderBytes(), Math.max(clipOnDemandBytes(clip),
                vaeOnDemandBytes(vae, width, height, tiling)), width, height, clipLength, budgetBytes,
                heldBytesPerElement, activationBytesPerElement);
    }

    /**
     * How a budgeted generation decodes: the whole frame, as the original, whenever the plan with the whole-frame
     * decode fits the budget (tiling changes the output near the seams; streaming DiT blocks does not); otherwise in
     * the largest tiles whose decode fits in the reserve the DiT forward and the CLIP tower need anyway, so that the
     * VAE no longer sets the activation reserve ({@link VaeTiling#MIN_TILE} when none does).
     *
     * @param dit the DiT
     * @param vae the VAE's configuration
     * @param clip the CLIP tower's configuration
     * @param width generation width
     * @param height generation height
     * @param clipLength frames per clip
     * @param budgetBytes the device-memory budget
     * @param heldBytesPerElement the bytes per element of each DiT key's weight, {@link #FLOAT8_BYTES} for float8 codes
     * @param activationBytesPerElement the DiT's activation width
     * @return the decode's tiling
     */
    public static VaeTiling vaeDecodeTiling(WanAnimateDiT dit, VaeConfig vae, ClipVisionConfig clip, int width,
            int height, int clipLength, long budgetBytes, ToIntFunction<String> heldBytesPerElement,
            int activationBytesPerElement) {
        long clipBytes = clipOnDemandBytes(clip);
        try {
            planGeneration(dit, motionEncoderBytes(), Math.max(clipBytes, vaeOnDemandBytes(vae, width, height)), width,
                    height, clipLength, budgetBytes, heldBytesPerElement, activationBytesPerElement);
            return VaeTiling.WHOLE_FRAME;
        } catch (MemoryBudgetException wholeFrameDoesNotFit) {
            long room = Math.max(clipBytes, ditForwardBytes(dit, width, height, clipLength, heldBytesPerElement,
                    activationBytesPerElement));
            int latentSide = Math.max(width, height) / vae.spaceStride();
            VaeTiling chosen = new VaeTiling(VaeTiling.MIN_TILE);
            for (int tile = VaeTiling.MIN_TILE; tile < latentSide; tile += VaeTiling.TILE_STEP) {
                VaeTiling candidate = new VaeTiling(tile);
                if (vaeOnDemandBytes(vae, width, height, candidate) <= room) {
                    chosen = candidate;
                }
            }
            return chosen;
        }
    }

    /**
     * The transient of looking float8 weights up: the largest one's index and float32 values at once.
     *
     * @param specs the parameters
     * @param float8Codes the keys held as float8 codes
     * @return bytes, 0 without float8 codes
     */
    public static long float8LookupBytes(List<ParameterSpec> specs, Predicate<String> float8Codes) {
        long largest = 0;
        for (ParameterSpec spec : specs) {
            if (float8Codes.test(spec.key())) {
                largest = Math.max(largest, Shapes.elementCount(spec.shape()));
            }
        }
        return largest * FLOAT8_LOOKUP_BYTES;
    }

    /**
     * Whether a text encoder of {@code textEncoderBytes} fits on the device beside what {@code plan} keeps there for
     * the whole run (fixed bytes and resident groups; the DiT stays bound between generations). When it does not,
     * the encoder runs on the CPU, as the original's {@code t5_cpu}.
     *
     * @param textEncoderBytes the text encoder's device bytes
     * @param plan the residency plan
     * @return the text encoder fits
     */
    public static boolean textEncoderFits(long textEncoderBytes, ResidencyPlan plan) {
        return plan.fixedBytes() + plan.residentGroupBytes() + textEncoderBytes <= plan.budgetBytes();
    }

    /** {@return float32 bytes of the motion encoder, the one network besides the DiT a budgeted run keeps bound} */
    public static long motionEncoderBytes() {
        return weightBytes(new MotionEncoder(MOTION_ENCODER_PREFIX), FLOAT32_BYTES);
    }

    /**
     * Float32 bytes the VAE needs while it is bound: its weights (encoder and decoder) and the decode working set
     * of the request's size (larger than the encode's, which runs the same layers on 1 + 4 frames at a time).
     *
     * @param vae the VAE's configuration
     * @param width generation width
     * @param height generation height
     * @return the bytes
     */
    public static long vaeOnDemandBytes(VaeConfig vae, int width, int height) {
        return vaeOnDemandBytes(vae, width, height, VaeTiling.WHOLE_FRAME);
    }

    /**
     * {@link #vaeOnDemandBytes(VaeConfig, int, int)} with the decode cut by {@code tiling}: the working set of one
     * tile (the blended frames wait on the host).
     *
     * @param vae the VAE's configuration
     * @param width generation width
     * @param height generation height
     * @param tiling the decode's tiling
     * @return the bytes
     */
    public static long vaeOnDemandBytes(VaeConfig vae, int width, int height, VaeTiling tiling) {
        int tilePixels = tiling.tile() * vae.spaceStride();
        boolean tiled = tiling.splits(height / vae.spaceStride(), width / vae.spaceStride());
        return weightBytes(VaeWeights.parameters(vae), key -> true, FLOAT32_BYTES)
                + vaeDecodeBytes(tiled ? Math.min(width, tilePixels) : width,
                        tiled ? Math.min(height, tilePixels) : height);
    }

    /**
     * Float32 bytes the CLIP tower needs while it encodes the reference: its weights and an activation estimate of
     * {@code 2·T·D + 3·T·D·r} floats (residual stream and block result, then the MLP input, its intermediate and
     * one temporary; T tokens, width D, MLP ratio r).
     *
     * @param clip the tower's configuration
     * @return the bytes
     */
    public static long clipOnDemandBytes(ClipVisionConfig clip) {
        long tokens = (long) (clip.imageSize() / clip.patchSize()) * (clip.imageSize() / clip.patchSize()) + 1;
        long activations = (2 * tokens * clip.dim() + 3 * tokens * clip.dim() * clip.mlpRatio()) * FLOAT32_BYTES;
        return weightBytes(new ClipVisionEncoder(clip), FLOAT32_BYTES) + activations;
    }

    /**
     * Float32 bytes of the networks a generation without a budget keeps resident next to the DiT: the VAE (encoder
     * and decoder), the CLIP vision tower and the motion encoder.
     *
     * @param vae the VAE's configuration
     * @param clip the CLIP tower's configuration
     * @return the bytes
     */
    public static long otherResidentBytes(VaeConfig vae, ClipVisionConfig clip) {
        return weightBytes(VaeWeights.parameters(vae), key -> true, FLOAT32_BYTES)
                + weightBytes(new ClipVisionEncoder(clip), FLOAT32_BYTES)
                + weightBytes(new MotionEncoder(MOTION_ENCODER_PREFIX), FLOAT32_BYTES);
    }

    /**
     * {@return DiT tokens of a latent of {@code frames} frames (reference included) and {@code h × w} latent pixels}
     *
     * @param frames the number of frames
     * @param h latent height
     * @param w latent width
     */
    public static long ditTokens(long frames, long h, long w) {
        return frames * (h / 2) * (w / 2);
    }

    /**
     * Estimated live activation bytes of one DiT forward over {@code tokens} tokens N, width D, FFN width F,
     * C = text_len + 257 context tokens, at {@code bytesPerElement}:
     * <pre>
     *   2·N·D                      the residual stream carried between blocks and the block's result
     *   + max(5·N·D, 3·N·F + N·D)   the block's working set: modulated input, q, k, v and attention output; or the
     *                              FFN input, its intermediate and two temporaries of the tanh-GELU composition
     *   + 5·C·D                    text and image contexts and one block's cross-attention keys and values
     * </pre>
     * Attention is counted as fused or chunked (no full N² score matrix; chunked backends add at most their chunk
     * size, 16 MiB on DJL's CPU path).
     *
     * @param config the configuration
     * @param tokens the number of tokens
     * @param bytesPerElement bytes per element
     * @return the bytes
     */
    public static long ditActivationBytes(DiTConfig config, long tokens, int bytesPerElement) {
        double n = tokens;
        double d = config.dim();
        double f = config.ffnDim();
        double c = config.textLen() + IMAGE_TOKENS;
        double elements = 2 * n * d + Math.max(5 * n * d, 3 * n * f + n * d) + 5 * c * d;
        return (long) Math.ceil(elements * bytesPerElement);
    }

    /**
     * The residency plan of a DiT forward over {@code tokens} tokens under {@code budgetBytes}.
     *
     * @param dit the DiT
     * @param tokens the number of tokens
     * @param budgetBytes the device-memory budget in bytes
     * @param facePixels whether the DiT gets face pixels (then it reads its motion encoder) instead of precomputed
     *     motion codes (the pipeline's way: the motion encoder is a network of its own, counted in
     *     {@code otherResidentBytes})
     * @param otherResidentBytes weights of other networks resident while the DiT runs
     * @return the result
     */
    public static ResidencyPlan planDiT(WanAnimateDiT dit, boolean facePixels, long tokens, long otherResidentBytes,
            long budgetBytes) {
        long activations = ditActivationBytes(dit.config(), tokens, FLOAT32_BYTES);
        Predicate<String> readOutsideGroups = facePixels ? key -> true : key -> !key.startsWith(MOTION_ENCODER_PREFIX);
        return plan(dit, readOutsideGroups, otherResidentBytes, activations, budgetBytes, FLOAT32_BYTES);
    }

    /**
     * Keeps as many of {@code network}'s parameter groups resident as fit, in forward order, and streams the rest.
     * Streaming holds two groups on the device (the step's own and the next one, prefetched).
     *
     * @param network the network
     * @param otherResidentBytes bytes of other networks resident for the whole run
     * @param activationBytes the activation reserve in bytes
     * @param budgetBytes the device-memory budget in bytes
     * @param bytesPerElement bytes per element
     * @param readOutsideGroups the keys outside any group that the forward reads (resident for the whole run)
     * @throws MemoryBudgetException when even streaming every group does not fit, naming the minimum
     * @return the result
     */
    public static ResidencyPlan plan(Network network, Predicate<String> readOutsideGroups, long otherResidentBytes,
            long activationBytes, long budgetBytes, int bytesPerElement) {
        return plan(network, readOutsideGroups, otherResidentBytes, activationBytes, budgetBytes,
                key -> bytesPerElement);
    }

    /**
     * {@link #plan(Network, Predicate, long, long, long, int)} with each weight at the width {@code bytesPerElement}
     * gives its key.
     *
     * @param network the network
     * @param readOutsideGroups the keys outside any group that the forward reads (resident for the whole run)
     * @param otherResidentBytes bytes of other networks resident for the whole run
     * @param activationBytes the activation reserve in bytes
     * @param budgetBytes the device-memory budget in bytes
     * @param bytesPerElement bytes per element of a key's weight
     * @throws MemoryBudgetException when even streaming every group does not fit, naming the minimum
     * @return the result
     */
    public static ResidencyPlan plan(Network network, Predicate<String> readOutsideGroups, long otherResidentBytes,
            long activationBytes, long budgetBytes, ToIntFunction<String> bytesPerElement) {
        Map<String, Long> bytesByKey = new HashMap<>();
        for (ParameterSpec spec : network.parameters()) {
            bytesByKey.put(spec.key(), Shapes.elementCount(spec.shape()) * bytesPerElement.applyAsInt(spec.key()));
        }
        List<ParameterGroup> groups = network.parameterGroups();
        Set<String> grouped = new HashSet<>();
        long[] groupBytes = new long[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            for (String key : groups.get(g).keys()) {
                grouped.add(key);
                groupBytes[g] += bytesByKey.getOrDefault(key, 0L);
            }
        }
        long fixed = otherResidentBytes;
        for (ParameterSpec spec : network.parameters()) {
            if (!grouped.contains(spec.key()) && readOutsideGroups.test(spec.key())) {
                fixed += bytesByKey.get(spec.key());
            }
        }
        long largest = 0;
        long all = 0;
        for (long b : groupBytes) {
            largest = Math.max(largest, b);
            all += b;
        }
        long minimum = fixed + activationBytes + Math.min(2, groups.size()) * largest;
        for (int resident = groups.size(); resident >= 0; resident--) {
            long residentBytes = 0;
            for (int g = 0; g < resident; g++) {
                residentBytes += groupBytes[g];
            }
            long largestStreamed = 0;
            for (int g = resident; g < groups.size(); g++) {
                largestStreamed = Math.max(largestStreamed, groupBytes[g]);
            }
            long buffer = resident == groups.size() ? 0
                    : Math.min(2, groups.size() - resident) * largestStreamed;
            if (fixed + activationBytes + residentBytes + buffer <= budgetBytes) {
                List<String> kept = new ArrayList<>();
                List<String> streamed = new ArrayList<>();
                for (int g = 0; g < groups.size(); g++) {
                    (g < resident ? kept : streamed).add(groups.get(g).name());
                }
                return new ResidencyPlan(budgetBytes, fixed, activationBytes, kept, streamed, residentBytes,
                        all - residentBytes, buffer, minimum);
            }
        }
        throw new MemoryBudgetException(String.format(java.util.Locale.ROOT,
                "a device-memory budget of %s cannot run %s: it needs at least %s (%d bytes) = %s resident weights "
                        + "+ %s activations (estimate) + %s for streaming %s",
                MemorySize.format(budgetBytes), network.name(), MemorySize.format(minimum), minimum,
                MemorySize.format(fixed), MemorySize.format(activationBytes),
                MemorySize.format(minimum - fixed - activationBytes),
                groups.size() >= 2 ? "two parameter groups (one block and the next)" : "its parameter group"),
                minimum);
    }
}
