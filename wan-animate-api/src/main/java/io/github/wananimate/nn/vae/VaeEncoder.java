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
 * The Wan 2.1 VAE encoder (NETWORKS.md §4.2) followed by the top-level {@code conv1} and the latent normalisation:
 * video {@code [1, 3, T, H, W]} in [-1, 1] → normalised latent mean {@code [1, 16, T', H/8, W/8]}.
 *
 * <p>One network serves every call form (§4.5). Without {@code cache.*} inputs the call starts a sequence: T must
 * be 4k+1 (the whole video, or the first 1-frame chunk) and T' = 1 + (T−1)/4. With the {@code cache.*} tensors a
 * previous call returned as {@code updated_cache.*}, the call continues that sequence: T must be a multiple of 4
 * and T' = T/4. Every call returns its own {@code updated_cache.*} after {@value #OUTPUT_LATENT}.
 */
public final class VaeEncoder implements Network {

    /** Input: pixels {@code [1, 3, T, H, W]} in [−1, 1]. */
    public static final String INPUT_VIDEO = "video";
    /** Output: the normalised latent {@code [1, 16, T', h, w]}. */
    public static final String OUTPUT_LATENT = "latent";

    private final VaeConfig config;
    private final VaeBlocks.CausalConv conv1;
    private final List<VaeBlocks.Step> downsamples;
    private final VaeBlocks.ResidualBlock middle0;
    private final VaeBlocks.AttentionBlock middle1;
    private final VaeBlocks.ResidualBlock middle2;
    private final VaeBlocks.ChannelNorm headNorm;
    private final VaeBlocks.CausalConv headConv;
    private final Conv quantConv;
    private final List<ParameterSpec> parameters;

    /**
     * The encoder.
     *
     * @param config its configuration
     */
    public VaeEncoder(VaeConfig config) {
        this.config = config;
        int c = config.bottleneckDim();
        int z2 = 2 * config.zDim();
        this.conv1 = new VaeBlocks.CausalConv("encoder.conv1", 3, config.dim());
        List<VaeBlocks.Step> downs = new ArrayList<>();
        List<VaeLayer> layers = config.encoderDownsamples();
        for (int i = 0; i < layers.size(); i++) {
            downs.add(VaeBlocks.of("encoder.downsamples." + i, layers.get(i)));
        }
        this.downsamples = List.copyOf(downs);
        this.middle0 = new VaeBlocks.ResidualBlock("encoder.middle.0", c, c);
        this.middle1 = new VaeBlocks.AttentionBlock("encoder.middle.1", c);
        this.middle2 = new VaeBlocks.ResidualBlock("encoder.middle.2", c, c);
        this.headNorm = new VaeBlocks.ChannelNorm("encoder.head.0", c, 3);
        this.headConv = new VaeBlocks.CausalConv("encoder.head.2", c, z2);
        this.quantConv = VaeBlocks.pointwise("conv1", z2, z2);
        List<Layer> all = new ArrayList<>(List.of(conv1));
        all.addAll(downsamples);
        all.addAll(List.of(middle0, middle1, middle2, headNorm, headConv, quantConv));
        this.parameters = Layers.parameters(all);
    }

    /** {@return its configuration} */
    public VaeConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "vae_encoder";
    }

    /** Owns {@code encoder.*}; it also reads the top-level {@code conv1.*}. */
    @Override
    public String keyPrefix() {
        return "encoder.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    /**
     * {@return latent frames produced from {@code frames} input frames in the given call form}
     *
     * @param frames the number of frames
     * @param continuation whether this continues a sequence
     */
    public static long latentFrames(long frames, boolean continuation) {
        return continuation ? frames / 4 : 1 + (frames - 1) / 4;
    }

    @Override
    public Map<String, Tensor> forward(Ops ops, Map<String, Tensor> inputs) {
        Tensor video = inputs.get(INPUT_VIDEO);
        if (video == null) {
            throw new IllegalArgumentException(name() + ": missing input '" + INPUT_VIDEO + "'");
        }
        FeatureCache cache = FeatureCache.fromInputs(inputs);
        checkVideo(video, cache.atStart());

        Tensor x = VaeBlocks.scoped(ops, cache, () -> conv1.apply(ops, cache, video));
        List<VaeBlocks.Step> steps = new ArrayList<>(downsamples);
        steps.addAll(List.of(middle0, middle1, middle2));
        for (VaeBlocks.Step step : steps) {
            Tensor in = x;
            x = VaeBlocks.scoped(ops, cache, () -> step.apply(ops, cache, in));
        }
        Tensor head = x;
        Tensor latent = VaeBlocks.scoped(ops, cache, () -> {
            Tensor h = headConv.apply(ops, cache, ops.silu(headNorm.apply(ops, head)));
            // μ = the first z_dim channels of conv1's output; log σ² is discarded (deterministic encode).
            Tensor mu = ops.slice(quantConv.apply(ops, h), 1, 0, config.zDim());
            return LatentNormalization.normalize(ops, mu);
        });

        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(OUTPUT_LATENT, latent);
        out.putAll(cache.outputs());
        return out;
    }

    private void checkVideo(Tensor video, boolean start) {
        long[] s = video.shape();
        if (s.length != 5 || s[0] != 1 || s[1] != 3) {
            throw new IllegalArgumentException(name() + ": expected video [1, 3, T, H, W], got " + Arrays.toString(s));
        }
        long frames = s[2];
        if (start ? (frames - 1) % 4 != 0 : frames % 4 != 0 || frames == 0) {
            throw new IllegalArgumentException(name() + ": " + (start
                    ? "a sequence start needs 4k+1 frames, got " + frames
                    : "a continuation chunk needs a positive multiple of 4 frames, got " + frames));
        }
    }
}
