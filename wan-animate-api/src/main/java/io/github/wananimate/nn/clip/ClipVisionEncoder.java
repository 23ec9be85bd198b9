package io.github.wananimate.nn.clip;

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
 * The CLIP ViT image tower as Wan-Animate calls it (NETWORKS.md §5): patch embedding, class token, position
 * embedding, {@code pre_norm}, then every transformer block but the last ({@code use_31_block=True}) and no
 * {@code post_norm}. Keys are the official ones under {@code visual.}.
 *
 * <p>Input {@code pixels} {@code [B, 3, image, image]}, already preprocessed by {@link ClipPreprocessing}; output
 * {@code features} {@code [B, tokens, dim]} (257 × 1280 for ViT-H/14).
 */
public final class ClipVisionEncoder implements Network {

    public static final String PREFIX = "visual.";
    public static final String INPUT = "pixels";
    public static final String OUTPUT = "features";

    private static final double LAYER_NORM_EPS = 1e-5;

    private final ClipVisionConfig config;

    public ClipVisionEncoder(ClipVisionConfig config) {
        this.config = config;
    }

    public ClipVisionConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "clip_visual";
    }

    @Override
    public String keyPrefix() {
        return PREFIX;
    }

    @Override
    public List<ParameterSpec> parameters() {
        int d = config.dim();
        int p = config.patchSize();
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(ParameterSpec.required(PREFIX + "patch_embedding.weight", d, 3, p, p));
        specs.add(ParameterSpec.required(PREFIX + "cls_embedding", 1, 1, d));
        specs.add(ParameterSpec.required(PREFIX + "pos_embedding", 1, config.tokenCount(), d));
        specs.add(ParameterSpec.required(PREFIX + "pre_norm.weight", d));
        specs.add(ParameterSpec.required(PREFIX + "pre_norm.bias", d));
        for (int i = 0; i < config.numLayers(); i++) {
            // The last block, post_norm and head are in every checkpoint but unused on this path (use_31_block):
            // they are validated when present and never bound.
            boolean used = i < config.numLayers() - 1;
            for (ParameterSpec s : blockParameters(i)) {
                specs.add(used ? s : ParameterSpec.optional(s.key(), s.shape()));
            }
        }
        specs.add(ParameterSpec.optional(PREFIX + "post_norm.weight", d));
        specs.add(ParameterSpec.optional(PREFIX + "post_norm.bias", d));
        specs.add(ParameterSpec.optional(PREFIX + "head", d, config.embedDim()));
        return specs;
    }

    private List<ParameterSpec> blockParameters(int i) {
        int d = config.dim();
        int m = config.mlpDim();
        String b = block(i);
        return List.of(
                ParameterSpec.required(b + "norm1.weight", d),
                ParameterSpec.required(b + "norm1.bias", d),
                ParameterSpec.required(b + "attn.to_qkv.weight", 3L * d, d),
                ParameterSpec.required(b + "attn.to_qkv.bias", 3L * d),
                ParameterSpec.required(b + "attn.proj.weight", d, d),
                ParameterSpec.required(b + "attn.proj.bias", d),
                ParameterSpec.required(b + "norm2.weight", d),
                ParameterSpec.required(b + "norm2.bias", d),
                ParameterSpec.required(b + "mlp.0.weight", m, d),
                ParameterSpec.required(b + "mlp.0.bias", m),
                ParameterSpec.required(b + "mlp.2.weight", d, m),
                ParameterSpec.required(b + "mlp.2.bias", d));
    }

    private static String block(int i) {
        return PREFIX + "transformer." + i + ".";
    }

    @Override
    public Map<String, Tensor> forward(Ops ops, Map<String, Tensor> inputs) {
        Tensor pixels = inputs.get(INPUT);
        if (pixels == null) {
            throw new IllegalArgumentException(name() + " needs the input '" + INPUT + "', got " + inputs.keySet());
        }
        long[] s = pixels.shape();
        int size = config.imageSize();
        if (s.length != 4 || s[1] != 3 || s[2] != size || s[3] != size) {
            throw new IllegalArgumentException(name() + ": '" + INPUT + "' must be [B, 3, " + size + ", " + size
                    + "], got " + Arrays.toString(s));
        }
        long batch = s[0];
        int d = config.dim();
        int p = config.patchSize();

        Tensor x = ops.scoped(() -> {
            Tensor patches = ops.conv(pixels, ops.parameter(PREFIX + "patch_embedding.weight"), null,
                    new int[] {p, p}, new int[] {0, 0}, new int[] {0, 0}, 1);
            patches = ops.permute(ops.reshape(patches, batch, d, -1), 0, 2, 1);
            Tensor cls = ops.broadcastTo(ops.parameter(PREFIX + "cls_embedding"), batch, 1, d);
            Tensor tokens = ops.add(ops.concat(1, cls, patches), ops.parameter(PREFIX + "pos_embedding"));
            return ops.layerNorm(tokens, ops.parameter(PREFIX + "pre_norm.weight"),
                    ops.parameter(PREFIX + "pre_norm.bias"), LAYER_NORM_EPS);
        });
        for (int i = 0; i < config.numLayers() - 1; i++) {
            Tensor in = x;
            String b = block(i);
            x = ops.scoped(() -> block(ops, in, b));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(OUTPUT, x);
        return out;
    }

    /** {@code x += proj(Attn(LN1(x)))}, {@code x += MLP(LN2(x))} (pre-norm block, exact GELU). */
    private Tensor block(Ops ops, Tensor x, String b) {
        long batch = x.dim(0);
        long tokens = x.dim(1);
        int d = config.dim();
        int heads = config.numHeads();
        int hd = config.headDim();

        Tensor h = ops.layerNorm(x, ops.parameter(b + "norm1.weight"), ops.parameter(b + "norm1.bias"),
                LAYER_NORM_EPS);
        Tensor qkv = ops.linear(h, ops.parameter(b + "attn.to_qkv.weight"), ops.parameter(b + "attn.to_qkv.bias"));
        // to_qkv rows are [q | k | v], each split into heads of head_dim.
        Tensor q = heads(ops, ops.slice(qkv, -1, 0, d), batch, tokens, heads, hd);
        Tensor k = heads(ops, ops.slice(qkv, -1, d, 2L * d), batch, tokens, heads, hd);
        Tensor v = heads(ops, ops.slice(qkv, -1, 2L * d, 3L * d), batch, tokens, heads, hd);
        Tensor attn = ops.attention(q, k, v, null, 1.0 / Math.sqrt(hd));
        attn = ops.reshape(ops.permute(attn, 0, 2, 1, 3), batch, tokens, d);
        x = ops.add(x, ops.linear(attn, ops.parameter(b + "attn.proj.weight"), ops.parameter(b + "attn.proj.bias")));

        h = ops.layerNorm(x, ops.parameter(b + "norm2.weight"), ops.parameter(b + "norm2.bias"), LAYER_NORM_EPS);
        h = ops.geluErf(ops.linear(h, ops.parameter(b + "mlp.0.weight"), ops.parameter(b + "mlp.0.bias")));
        return ops.add(x, ops.linear(h, ops.parameter(b + "mlp.2.weight"), ops.parameter(b + "mlp.2.bias")));
    }

    private static Tensor heads(Ops ops, Tensor x, long batch, long tokens, int heads, int headDim) {
        return ops.permute(ops.reshape(x, batch, tokens, heads, headDim), 0, 2, 1, 3);
    }
}
