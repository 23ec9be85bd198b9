package io.github.wananimate.nn.vae;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
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

    public static final String INPUT_VIDEO = "video";
    public static final String OUTPUT_LATENT = "latent";

    private final VaeConfig config;
    private final List<VaeLayer> downsamples;

    public VaeEncoder(VaeConfig config) {
        this.config = config;
        this.downsamples = config.encoderDownsamples();
    }

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
        int c = config.bottleneckDim();
        int z2 = 2 * config.zDim();
        List<ParameterSpec> specs = new ArrayList<>();
        VaeBlocks.causalConvSpecs(specs, "encoder.conv1", 3, config.dim(), 3, 3, 3);
        for (int i = 0; i < downsamples.size(); i++) {
            VaeBlocks.layerSpecs(specs, "encoder.downsamples." + i, downsamples.get(i));
        }
        VaeBlocks.residualSpecs(specs, "encoder.middle.0", new VaeLayer.Residual(c, c));
        VaeBlocks.attentionSpecs(specs, "encoder.middle.1", c);
        VaeBlocks.residualSpecs(specs, "encoder.middle.2", new VaeLayer.Residual(c, c));
        specs.add(ParameterSpec.required("encoder.head.0.gamma", c, 1, 1, 1));
        VaeBlocks.causalConvSpecs(specs, "encoder.head.2", c, z2, 3, 3, 3);
        VaeBlocks.causalConvSpecs(specs, "conv1", z2, z2, 1, 1, 1);
        return specs;
    }

    /** Latent frames produced from {@code frames} input frames in the given call form. */
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
        VaeBlocks blocks = new VaeBlocks(ops, cache);

        Tensor x = blocks.block(() -> blocks.causalConv3("encoder.conv1", video));
        for (int i = 0; i < downsamples.size(); i++) {
            String key = "encoder.downsamples." + i;
            VaeLayer layer = downsamples.get(i);
            Tensor in = x;
            x = blocks.block(() -> blocks.layer(key, layer, in));
        }
        int c = config.bottleneckDim();
        Tensor mid = x;
        x = blocks.block(() -> blocks.residual("encoder.middle.0", new VaeLayer.Residual(c, c), mid));
        Tensor attn = x;
        x = blocks.block(() -> blocks.attention("encoder.middle.1", attn));
        Tensor mid2 = x;
        x = blocks.block(() -> blocks.residual("encoder.middle.2", new VaeLayer.Residual(c, c), mid2));
        Tensor head = x;
        Tensor latent = blocks.block(() -> {
            Tensor h = blocks.causalConv3("encoder.head.2", ops.silu(blocks.rmsNorm("encoder.head.0.gamma", head)));
            // μ = the first z_dim channels of conv1's output; log σ² is discarded (deterministic encode).
            Tensor mu = ops.slice(blocks.pointwiseConv("conv1", h), 1, 0, config.zDim());
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
