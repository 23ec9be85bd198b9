package io.github.wananimate.nn.vae;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.layers.Conv;
import io.github.wananimate.nn.layers.Layer;
import io.github.wananimate.nn.layers.Layers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Wan 2.1 VAE decoder (NETWORKS.md §4.3) with the latent denormalisation, the top-level {@code conv2} in front
 * and the [-1, 1] clamp of {@code Wan2_1_VAE.decode} behind: normalised latent {@code [1, 16, T', h, w]} → video
 * {@code [1, 3, T, 8h, 8w]}.
 *
 * <p>Call forms as in {@link VaeEncoder}: without {@code cache.*} inputs the call starts a sequence and
 * T = 1 + 4(T'−1) (the whole latent, or the first latent frame alone → 1 frame); with the previous call's
 * {@code updated_cache.*} it continues it and T = 4T'.
 */
public final class VaeDecoder implements Network {

    /** Input: a normalised latent chunk {@code [1, 16, T', h, w]}. */
    public static final String INPUT_LATENT = "latent";
    /** Output: pixels {@code [1, 3, T, H, W]}. */
    public static final String OUTPUT_VIDEO = "video";

    private final VaeConfig config;
    private final Conv conv2;
    private final VaeBlocks.CausalConv conv1;
    private final VaeBlocks.ResidualBlock middle0;
    private final VaeBlocks.AttentionBlock middle1;
    private final VaeBlocks.ResidualBlock middle2;
    private final List<VaeBlocks.Step> upsamples;
    private final VaeBlocks.ChannelNorm headNorm;
    private final VaeBlocks.CausalConv headConv;
    private final List<ParameterSpec> parameters;

    /**
     * The decoder.
     *
     * @param config its configuration
     */
    public VaeDecoder(VaeConfig config) {
        this.config = config;
        int c = config.bottleneckDim();
        int z = config.zDim();
        this.conv2 = VaeBlocks.pointwise("conv2", z, z);
        this.conv1 = new VaeBlocks.CausalConv("decoder.conv1", z, c);
        this.middle0 = new VaeBlocks.ResidualBlock("decoder.middle.0", c, c);
        this.middle1 = new VaeBlocks.AttentionBlock("decoder.middle.1", c);
        this.middle2 = new VaeBlocks.ResidualBlock("decoder.middle.2", c, c);
        List<VaeBlocks.Step> ups = new ArrayList<>();
        List<VaeLayer> layers = config.decoderUpsamples();
        for (int i = 0; i < layers.size(); i++) {
            ups.add(VaeBlocks.of("decoder.upsamples." + i, layers.get(i)));
        }
        this.upsamples = List.copyOf(ups);
        this.headNorm = new VaeBlocks.ChannelNorm("decoder.head.0", config.dim(), 3);
        this.headConv = new VaeBlocks.CausalConv("decoder.head.2", config.dim(), 3);
        List<Layer> all = new ArrayList<>(List.of(conv2, conv1, middle0, middle1, middle2));
        all.addAll(upsamples);
        all.addAll(List.of(headNorm, headConv));
        this.parameters = Layers.parameters(all);
    }

    /** {@return its configuration} */
    public VaeConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "vae_decoder";
    }

    /** Owns {@code decoder.*}; it also reads the top-level {@code conv2.*}. */
    @Override
    public String keyPrefix() {
        return "decoder.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    /**
     * {@return pixel frames produced from {@code latentFrames} latent frames in the given call form}
     *
     * @param latentFrames latent frames
     * @param continuation whether this continues a sequence
     */
    public static long videoFrames(long latentFrames, boolean continuation) {
        return continuation ? 4 * latentFrames : 1 + 4 * (latentFrames - 1);
    }

    @Override
    public Map<String, Tensor> forward(Ops ops, Map<String, Tensor> inputs) {
        Tensor latent = inputs.get(INPUT_LATENT);
        if (latent == null) {
            throw new IllegalArgumentException(name() + ": missing input '" + INPUT_LATENT + "'");
        }
        long[] s = latent.shape();
        if (s.length != 5 || s[0] != 1 || s[1] != config.zDim() || s[2] < 1) {
            throw new IllegalArgumentException(name() + ": expected latent [1, " + config.zDim()
                    + ", T, h, w] with T >= 1, got " + Arrays.toString(s));
        }
        FeatureCache cache = FeatureCache.fromInputs(inputs);

        Tensor x = VaeBlocks.scoped(ops, cache,
                () -> conv1.apply(ops, cache, conv2.apply(ops, LatentNormalization.denormalize(ops, latent))));
        List<VaeBlocks.Step> steps = middleAndUpsamples();
        int last = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).temporal()) {
                last = i;
            }
        }
        for (VaeBlocks.Step step : steps.subList(0, Math.max(last, 0))) {
            x = step(ops, cache, step, x);
        }
        List<VaeBlocks.Step> tailSteps = new ArrayList<>();
        if (last >= 0) {
            VaeBlocks.Resample lastTemporal = (VaeBlocks.Resample) steps.get(last);
            Tensor beforeDoubling = x;
            x = VaeBlocks.scoped(ops, cache, () -> lastTemporal.temporalHalf(ops, cache, beforeDoubling));
            ops.release(beforeDoubling);
            tailSteps.add(lastTemporal.spatialHalf());
        }
        tailSteps.addAll(steps.subList(last + 1, steps.size()));
        // The layers after the temporal doubling of the last upsample3d (its spatial upsample and the
        // full-resolution half) are causal convs and per-frame layers: on consecutive slices of the chunk, each
        // continuing the causal caches of the one before, they give the frames they give on the whole chunk (as
        // chunk calls continue each other), with one slice's activations alive at a time. The original runs them on
        // the chunk at once.
        Tensor chunk = x;
        long frames = chunk.dim(2);
        int hint = ops.videoSliceFrames(fullResolutionFrameBytes(latent));
        long sliceFrames = hint > 0 ? hint : frames;
        List<Tensor> slices = new ArrayList<>();
        for (long start = 0; start < frames; start += sliceFrames) {
            long end = Math.min(frames, start + sliceFrames);
            Tensor slice = start == 0 && end == frames ? chunk : ops.slice(chunk, 2, start, end);
            for (VaeBlocks.Step step : tailSteps) {
                slice = step(ops, cache, step, slice);
            }
            Tensor head = slice;
            slices.add(VaeBlocks.scoped(ops, cache, () -> {
                Tensor h = headConv.apply(ops, cache, ops.silu(headNorm.apply(ops, head)));
                return ops.clamp(h, -1.0, 1.0);
            }));
            ops.release(head);
        }
        Tensor video = slices.size() == 1 ? slices.get(0) : ops.concat(2, slices);

        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(OUTPUT_VIDEO, video);
        out.putAll(cache.outputs());
        return out;
    }

    /** One frame of the head's input, the decoder's narrowest full-resolution feature map ({@code dim} channels). */
    private long fullResolutionFrameBytes(Tensor latent) {
        long stride = config.spaceStride();
        return (long) config.dim() * latent.dim(3) * stride * latent.dim(4) * stride * Float.BYTES;
    }

    /**
     * One step in its scope; its input is released once the step has returned (the steps run in the call's scope, so
     * an eager backend would otherwise hold every stage's activation to the end of the call).
     */
    private static Tensor step(Ops ops, FeatureCache cache, VaeBlocks.Step step, Tensor in) {
        Tensor out = VaeBlocks.scoped(ops, cache, () -> step.apply(ops, cache, in));
        if (out != in) {
            ops.release(in);
        }
        return out;
    }

    private List<VaeBlocks.Step> middleAndUpsamples() {
        List<VaeBlocks.Step> steps = new ArrayList<>(List.of(middle0, middle1, middle2));
        steps.addAll(upsamples);
        return steps;
    }
}
