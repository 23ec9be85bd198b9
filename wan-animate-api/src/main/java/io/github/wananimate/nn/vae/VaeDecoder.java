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
 * The Wan 2.1 VAE decoder (NETWORKS.md §4.3) with the latent denormalisation, the top-level {@code conv2} in front
 * and the [-1, 1] clamp of {@code Wan2_1_VAE.decode} behind: normalised latent {@code [1, 16, T', h, w]} → video
 * {@code [1, 3, T, 8h, 8w]}.
 *
 * <p>Call forms as in {@link VaeEncoder}: without {@code cache.*} inputs the call starts a sequence and
 * T = 1 + 4(T'−1) (the whole latent, or the first latent frame alone → 1 frame); with the previous call's
 * {@code updated_cache.*} it continues it and T = 4T'.
 */
public final class VaeDecoder implements Network {

    public static final String INPUT_LATENT = "latent";
    public static final String OUTPUT_VIDEO = "video";

    private final VaeConfig config;
    private final List<VaeLayer> upsamples;

    public VaeDecoder(VaeConfig config) {
        this.config = config;
        this.upsamples = config.decoderUpsamples();
    }

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
        int c = config.bottleneckDim();
        int z = config.zDim();
        List<ParameterSpec> specs = new ArrayList<>();
        VaeBlocks.causalConvSpecs(specs, "conv2", z, z, 1, 1, 1);
        VaeBlocks.causalConvSpecs(specs, "decoder.conv1", z, c, 3, 3, 3);
        VaeBlocks.residualSpecs(specs, "decoder.middle.0", new VaeLayer.Residual(c, c));
        VaeBlocks.attentionSpecs(specs, "decoder.middle.1", c);
        VaeBlocks.residualSpecs(specs, "decoder.middle.2", new VaeLayer.Residual(c, c));
        for (int i = 0; i < upsamples.size(); i++) {
            VaeBlocks.layerSpecs(specs, "decoder.upsamples." + i, upsamples.get(i));
        }
        specs.add(ParameterSpec.required("decoder.head.0.gamma", config.dim(), 1, 1, 1));
        VaeBlocks.causalConvSpecs(specs, "decoder.head.2", config.dim(), 3, 3, 3, 3);
        return specs;
    }

    /** Pixel frames produced from {@code latentFrames} latent frames in the given call form. */
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
        VaeBlocks blocks = new VaeBlocks(ops, cache);
        int c = config.bottleneckDim();

        Tensor x = blocks.block(() -> {
            Tensor z = blocks.pointwiseConv("conv2", LatentNormalization.denormalize(ops, latent));
            return blocks.causalConv3("decoder.conv1", z);
        });
        Tensor mid = x;
        x = blocks.block(() -> blocks.residual("decoder.middle.0", new VaeLayer.Residual(c, c), mid));
        Tensor attn = x;
        x = blocks.block(() -> blocks.attention("decoder.middle.1", attn));
        Tensor mid2 = x;
        x = blocks.block(() -> blocks.residual("decoder.middle.2", new VaeLayer.Residual(c, c), mid2));
        for (int i = 0; i < upsamples.size(); i++) {
            String key = "decoder.upsamples." + i;
            VaeLayer layer = upsamples.get(i);
            Tensor in = x;
            x = blocks.block(() -> blocks.layer(key, layer, in));
        }
        Tensor head = x;
        Tensor video = blocks.block(() -> {
            Tensor h = blocks.causalConv3("decoder.head.2", ops.silu(blocks.rmsNorm("decoder.head.0.gamma", head)));
            return ops.clamp(h, -1.0, 1.0);
        });

        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(OUTPUT_VIDEO, video);
        out.putAll(cache.outputs());
        return out;
    }
}
