package io.github.wananimate.nn.clip;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.layers.Attention;
import io.github.wananimate.nn.layers.Conv;
import io.github.wananimate.nn.layers.Layer;
import io.github.wananimate.nn.layers.LayerNorm;
import io.github.wananimate.nn.layers.Layers;
import io.github.wananimate.nn.layers.Linear;
import io.github.wananimate.nn.layers.Weight;
import io.github.wananimate.tensor.DType;
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
 *
 * <p>Precision: Linears, the patch convolution and attention in {@link Precision#compute()}, LayerNorms, embeddings
 * and residual adds in float32.
 */
public final class ClipVisionEncoder implements Network {

    /** Key prefix of the vision tower in the open-clip checkpoint. */
    public static final String PREFIX = "visual.";
    /** Input: normalised pixels {@code [1, 3, S, S]}. */
    public static final String INPUT = "pixels";
    /** Output: the tokens after all blocks but the last {@code [1, 257, 1280]}. */
    public static final String OUTPUT = "features";

    private static final double LAYER_NORM_EPS = 1e-5;

    private final ClipVisionConfig config;
    private final Conv patchEmbedding;
    private final Weight cls;
    private final Weight positions;
    private final LayerNorm preNorm;
    private final List<Block> blocks;
    private final List<ParameterSpec> parameters;

    /**
     * The tower in float32.
     *
     * @param config its configuration
     */
    public ClipVisionEncoder(ClipVisionConfig config) {
        this(config, Precision.FP32);
    }

    /**
     * The tower computing in {@code precision}.
     *
     * @param config its configuration
     * @param precision the compute precision
     */
    public ClipVisionEncoder(ClipVisionConfig config, Precision precision) {
        this.config = config;
        int d = config.dim();
        int p = config.patchSize();
        DType stored = precision.weights();
        this.patchEmbedding = Conv.of(PREFIX + "patch_embedding", d, 3, stored, precision.compute(), p, p)
                .withoutBias().withStride(p, p);
        this.cls = new Weight(PREFIX + "cls_embedding", stored, 1, 1, d);
        this.positions = new Weight(PREFIX + "pos_embedding", stored, 1, config.tokenCount(), d);
        this.preNorm = LayerNorm.affine(PREFIX + "pre_norm", d, LAYER_NORM_EPS, stored);
        List<Block> list = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            list.add(new Block(PREFIX + "transformer." + i + ".", precision));
        }
        this.blocks = List.copyOf(list);
        List<ParameterSpec> specs = new ArrayList<>(Layers.parameters(List.of(patchEmbedding, cls, positions,
                preNorm)));
        for (int i = 0; i < blocks.size(); i++) {
            // The last block, post_norm and head are in every checkpoint but unused on this path (use_31_block):
            // they are validated when present and never bound.
            boolean used = i < config.numLayers() - 1;
            for (ParameterSpec spec : blocks.get(i).parameters()) {
                specs.add(used ? spec : new ParameterSpec(spec.key(), spec.shape(), true, spec.dtype()));
            }
        }
        specs.add(ParameterSpec.optional(PREFIX + "post_norm.weight", d));
        specs.add(ParameterSpec.optional(PREFIX + "post_norm.bias", d));
        specs.add(ParameterSpec.optional(PREFIX + "head", d, config.embedDim()));
        this.parameters = List.copyOf(specs);
    }

    /** {@return its configuration} */
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
        return parameters;
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

        Tensor x = ops.scoped(() -> {
            Tensor patches = patchEmbedding.apply(ops, pixels);
            patches = ops.permute(ops.reshape(patches, batch, d, -1), 0, 2, 1);
            Tensor clsToken = ops.broadcastTo(cls.get(ops), batch, 1, d);
            Tensor tokens = ops.add(ops.concat(1, clsToken, patches), positions.get(ops));
            return preNorm.apply(ops, tokens);
        });
        for (int i = 0; i < config.numLayers() - 1; i++) {
            Tensor in = x;
            Block block = blocks.get(i);
            x = ops.scoped(() -> block.apply(ops, in));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(OUTPUT, x);
        return out;
    }

    /** {@code x += proj(Attn(LN1(x)))}, {@code x += MLP(LN2(x))} (pre-norm block, exact GELU). */
    private final class Block implements Layer {

        private final LayerNorm norm1;
        private final Linear qkv;
        private final Linear proj;
        private final LayerNorm norm2;
        private final Linear mlp0;
        private final Linear mlp2;
        private final Attention attention;

        Block(String b, Precision precision) {
            int d = config.dim();
            int m = config.mlpDim();
            DType stored = precision.weights();
            DType low = precision.compute();
            norm1 = LayerNorm.affine(b + "norm1", d, LAYER_NORM_EPS, stored);
            qkv = new Linear(b + "attn.to_qkv", 3L * d, d, stored, low);
            proj = new Linear(b + "attn.proj", d, d, stored, low);
            norm2 = LayerNorm.affine(b + "norm2", d, LAYER_NORM_EPS, stored);
            mlp0 = new Linear(b + "mlp.0", m, d, stored, low);
            mlp2 = new Linear(b + "mlp.2", d, m, stored, low);
            attention = new Attention(low);
        }

        @Override
        public List<ParameterSpec> parameters() {
            return Layers.parameters(List.of(norm1, qkv, proj, norm2, mlp0, mlp2));
        }

        Tensor apply(Ops ops, Tensor x) {
            long batch = x.dim(0);
            long tokens = x.dim(1);
            int d = config.dim();
            int heads = config.numHeads();
            int hd = config.headDim();

            Tensor packed = qkv.apply(ops, norm1.apply(ops, x));
            // to_qkv rows are [q | k | v], each split into heads of head_dim.
            Tensor q = heads(ops, ops.slice(packed, -1, 0, d), batch, tokens, heads, hd);
            Tensor k = heads(ops, ops.slice(packed, -1, d, 2L * d), batch, tokens, heads, hd);
            Tensor v = heads(ops, ops.slice(packed, -1, 2L * d, 3L * d), batch, tokens, heads, hd);
            Tensor attn = attention.apply(ops, q, k, v, null, 1.0 / Math.sqrt(hd));
            attn = ops.reshape(ops.permute(attn, 0, 2, 1, 3), batch, tokens, d);
            x = ops.add(x, proj.apply(ops, attn));

            Tensor h = ops.geluErf(mlp0.apply(ops, norm2.apply(ops, x)));
            return ops.add(x, mlp2.apply(ops, h));
        }
    }

    private static Tensor heads(Ops ops, Tensor x, long batch, long tokens, int heads, int headDim) {
        return ops.permute(ops.reshape(x, batch, tokens, heads, headDim), 0, 2, 1, 3);
    }
}
