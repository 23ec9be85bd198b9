package io.github.wananimate.nn.t5;

import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.layers.Attention;
import io.github.wananimate.nn.layers.Layer;
import io.github.wananimate.nn.layers.Layers;
import io.github.wananimate.nn.layers.Linear;
import io.github.wananimate.nn.layers.RmsNorm;
import io.github.wananimate.nn.layers.Weight;
import io.github.wananimate.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The umT5 encoder (NETWORKS.md §6): T5 RMSNorm, bias-free attention WITHOUT 1/√d scaling plus a per-layer relative
 * position bias, gated tanh-GELU FFN, final RMSNorm.
 *
 * <p>The token embedding is not looked up in the graph: {@link TokenEmbeddings} reads just the needed rows of the
 * (256384 × 4096, bf16, memory-mapped) {@code token_embedding.weight} on the host, and they come in as the input
 * {@code token_embeddings} {@code [L, dim]}. The key is listed as optional so that a whole checkpoint validates,
 * but the network never binds it. The optional input {@code key_mask} {@code [L]} (1 = real token, 0 = padding)
 * masks padded keys with −1e30, as the reference's {@code finfo.min}; without it every position is a real token.
 * Output {@code context} {@code [L, dim]} is NOT trimmed (the caller keeps the real rows).
 *
 * <p>Precision: the bias-free Linears and attention in {@link Precision#compute()}; RMSNorms, the position bias and
 * residual adds in float32.
 */
public final class UMT5Encoder implements Network {

    /** Input: the token embeddings {@code [L, dim]}, looked up on the host. */
    public static final String INPUT_EMBEDDINGS = "token_embeddings";
    /** Input (optional): {@code [L]}, 1 on real tokens and 0 on padding keys. */
    public static final String INPUT_KEY_MASK = "key_mask";
    /** Output: the context {@code [L, dim]}. */
    public static final String OUTPUT = "context";
    /** Output (parity only): layer 0's relative position bias. */
    public static final String OUTPUT_LAYER0_POSITION_BIAS = "layer0_position_bias";
    /** Key of the token embedding table, read on the host. */
    public static final String TOKEN_EMBEDDING_KEY = "token_embedding.weight";

    private static final double RMS_EPS = 1e-6;
    /** Additive bias of a masked key; far below any real logit, finite so that 0·bias stays 0. */
    private static final double MASKED = 1e30;

    private final UMT5Config config;
    private final boolean exposePositionBias;
    private final List<Block> blocks;
    private final RmsNorm norm;
    private final List<ParameterSpec> parameters;

    /**
     * The encoder.
     *
     * @param config its configuration
     */
    public UMT5Encoder(UMT5Config config) {
        this(config, false);
    }

    /**
     * The encoder, optionally with layer 0's position bias as an output.
     *
     * @param config its configuration
     * @param exposePositionBias whether to output it
     */
    public UMT5Encoder(UMT5Config config, boolean exposePositionBias) {
        this(config, exposePositionBias, Precision.FP32);
    }

    /**
     * @param config the configuration
     * @param precision the precision
     * @param exposePositionBias also output layer 0's position bias {@code [1, heads, L, L]} (for parity checks; it
     *                           is 64 MiB at L = 512 for the full model)
     */
    public UMT5Encoder(UMT5Config config, boolean exposePositionBias, Precision precision) {
        this.config = config;
        this.exposePositionBias = exposePositionBias;
        List<Block> list = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            list.add(new Block("blocks." + i + ".", precision));
        }
        this.blocks = List.copyOf(list);
        this.norm = new RmsNorm("norm", config.dim(), RMS_EPS, precision.weights());
        List<ParameterSpec> specs = new ArrayList<>();
        // read on the host by TokenEmbeddings, never bound
        specs.add(ParameterSpec.optional(TOKEN_EMBEDDING_KEY, config.vocabSize(), config.dim()));
        List<Layer> layers = new ArrayList<>(blocks);
        layers.add(norm);
        specs.addAll(Layers.parameters(layers));
        this.parameters = List.copyOf(specs);
    }

    /** {@return its configuration} */
    public UMT5Config config() {
        return config;
    }

    @Override
    public String name() {
        return "umt5_encoder";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    @Override
    public Map<String, Tensor> forward(Ops ops, Map<String, Tensor> inputs) {
        Tensor embeddings = inputs.get(INPUT_EMBEDDINGS);
        if (embeddings == null) {
            throw new IllegalArgumentException(name() + " needs the input '" + INPUT_EMBEDDINGS + "', got "
                    + inputs.keySet());
        }
        long[] s = embeddings.shape();
        if (s.length != 2 || s[1] != config.dim()) {
            throw new IllegalArgumentException(name() + ": '" + INPUT_EMBEDDINGS + "' must be [L, " + config.dim()
                    + "], got " + Arrays.toString(s));
        }
        int length = Math.toIntExact(s[0]);
        Tensor keyMask = inputs.getOrDefault(INPUT_KEY_MASK, null); // optional (RequiredInputs.get would throw)
        Tensor maskBias = null;
        if (keyMask != null) {
            if (keyMask.rank() != 1 || keyMask.dim(0) != length) {
                throw new IllegalArgumentException(name() + ": '" + INPUT_KEY_MASK + "' must be [" + length
                        + "], got " + Arrays.toString(keyMask.shape()));
            }
            // (mask − 1)·1e30: 0 on real keys, −1e30 on padding; broadcast over heads and queries.
            maskBias = ops.reshape(ops.mul(ops.add(keyMask, -1.0), MASKED), 1, 1, 1, length);
        }
        // The bucket of every (query, key) pair is a host constant shared by all layers; each layer's lookup
        // is the one-hot matrix times its own table.
        Tensor oneHot = ops.constant(RelativePositionBuckets.oneHot(length, length, config.numBuckets(),
                config.maxDistance()));

        Map<String, Tensor> out = new LinkedHashMap<>();
        Tensor x = ops.reshape(embeddings, 1, length, config.dim());
        for (int i = 0; i < config.numLayers(); i++) {
            Block block = blocks.get(i);
            if (i == 0 && exposePositionBias) {
                out.put(OUTPUT_LAYER0_POSITION_BIAS, block.positionBias(ops, oneHot, length));
            }
            Tensor in = x;
            Tensor mask = maskBias;
            x = ops.scoped(() -> block.apply(ops, in, oneHot, mask, length));
        }
        x = norm.apply(ops, x);
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        ordered.put(OUTPUT, ops.reshape(x, length, config.dim()));
        ordered.putAll(out);
        return ordered;
    }

    /** One encoder block, keys {@code blocks.i.*}. */
    private final class Block implements Layer {

        private final RmsNorm norm1;
        private final Linear q;
        private final Linear k;
        private final Linear v;
        private final Linear o;
        private final RmsNorm norm2;
        private final Linear gate;
        private final Linear fc1;
        private final Linear fc2;
        private final Weight positionTable;
        private final Attention attention;

        Block(String b, Precision precision) {
            int d = config.dim();
            int a = config.dimAttn();
            int f = config.dimFfn();
            DType stored = precision.weights();
            DType low = precision.compute();
            norm1 = new RmsNorm(b + "norm1", d, RMS_EPS, stored);
            q = Linear.withoutBias(b + "attn.q", a, d, stored, low);
            k = Linear.withoutBias(b + "attn.k", a, d, stored, low);
            v = Linear.withoutBias(b + "attn.v", a, d, stored, low);
            o = Linear.withoutBias(b + "attn.o", d, a, stored, low);
            norm2 = new RmsNorm(b + "norm2", d, RMS_EPS, stored);
            gate = Linear.withoutBias(b + "ffn.gate.0", f, d, stored, low);
            fc1 = Linear.withoutBias(b + "ffn.fc1", f, d, stored, low);
            fc2 = Linear.withoutBias(b + "ffn.fc2", d, f, stored, low);
            positionTable = new Weight(b + "pos_embedding.embedding.weight", stored, config.numBuckets(),
                    config.numHeads());
            attention = new Attention(low);
        }

        @Override
        public List<ParameterSpec> parameters() {
            return Layers.parameters(List.of(norm1, q, k, v, o, norm2, gate, fc1, fc2, positionTable));
        }

        /** {@code B[0, h, i, j] = table[bucket(j − i), h]}. */
        Tensor positionBias(Ops ops, Tensor oneHot, int length) {
            Tensor perPair = ops.matmul(oneHot, positionTable.get(ops));
            Tensor bias = ops.permute(ops.reshape(perPair, length, length, config.numHeads()), 2, 0, 1);
            return ops.reshape(bias, 1, config.numHeads(), length, length);
        }

        Tensor apply(Ops ops, Tensor x, Tensor oneHot, Tensor maskBias, int length) {
            Tensor bias = positionBias(ops, oneHot, length);
            if (maskBias != null) {
                bias = ops.add(bias, maskBias);
            }
            Tensor a = norm1.apply(ops, x);
            Tensor qh = heads(ops, q.apply(ops, a), length);
            Tensor kh = heads(ops, k.apply(ops, a), length);
            Tensor vh = heads(ops, v.apply(ops, a), length);
            // T5 does not scale the logits by 1/√d (the scale is folded into the trained weights).
            Tensor out = attention.apply(ops, qh, kh, vh, bias, 1.0);
            out = ops.reshape(ops.permute(out, 0, 2, 1, 3), 1, length, config.dimAttn());
            x = ops.add(x, o.apply(ops, out));

            Tensor f = norm2.apply(ops, x);
            Tensor gated = ops.geluTanh(gate.apply(ops, f));
            Tensor hidden = ops.mul(fc1.apply(ops, f), gated);
            return ops.add(x, fc2.apply(ops, hidden));
        }
    }

    private Tensor heads(Ops ops, Tensor x, int length) {
        return ops.permute(ops.reshape(x, 1, length, config.numHeads(), config.headDim()), 0, 2, 1, 3);
    }
}
