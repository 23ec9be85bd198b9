package io.github.wananimate.nn.t5;

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
 * The umT5 encoder (NETWORKS.md §6): T5 RMSNorm, bias-free attention WITHOUT 1/√d scaling plus a per-layer relative
 * position bias, gated tanh-GELU FFN, final RMSNorm.
 *
 * <p>The token embedding is not looked up in the graph: {@link TokenEmbeddings} reads just the needed rows of the
 * (256384 × 4096, bf16, memory-mapped) {@code token_embedding.weight} on the host, and they come in as the input
 * {@code token_embeddings} {@code [L, dim]}. The key is listed as optional so that a whole checkpoint validates,
 * but the network never binds it. The optional input {@code key_mask} {@code [L]} (1 = real token, 0 = padding)
 * masks padded keys with −1e30, as the reference's {@code finfo.min}; without it every position is a real token.
 * Output {@code context} {@code [L, dim]} is NOT trimmed (the caller keeps the real rows).
 */
public final class UMT5Encoder implements Network {

    public static final String INPUT_EMBEDDINGS = "token_embeddings";
    public static final String INPUT_KEY_MASK = "key_mask";
    public static final String OUTPUT = "context";
    public static final String OUTPUT_LAYER0_POSITION_BIAS = "layer0_position_bias";
    public static final String TOKEN_EMBEDDING_KEY = "token_embedding.weight";

    private static final double RMS_EPS = 1e-6;
    /** Additive bias of a masked key; far below any real logit, finite so that 0·bias stays 0. */
    private static final double MASKED = 1e30;

    private final UMT5Config config;
    private final boolean exposePositionBias;

    public UMT5Encoder(UMT5Config config) {
        this(config, false);
    }

    /**
     * @param exposePositionBias also output layer 0's position bias {@code [1, heads, L, L]} (for parity checks; it
     *                           is 64 MiB at L = 512 for the full model)
     */
    public UMT5Encoder(UMT5Config config, boolean exposePositionBias) {
        this.config = config;
        this.exposePositionBias = exposePositionBias;
    }

    public UMT5Config config() {
        return config;
    }

    @Override
    public String name() {
        return "umt5_encoder";
    }

    @Override
    public List<ParameterSpec> parameters() {
        int d = config.dim();
        int a = config.dimAttn();
        int f = config.dimFfn();
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(ParameterSpec.optional(TOKEN_EMBEDDING_KEY, config.vocabSize(), d));
        for (int i = 0; i < config.numLayers(); i++) {
            String b = block(i);
            specs.add(ParameterSpec.required(b + "norm1.weight", d));
            specs.add(ParameterSpec.required(b + "attn.q.weight", a, d));
            specs.add(ParameterSpec.required(b + "attn.k.weight", a, d));
            specs.add(ParameterSpec.required(b + "attn.v.weight", a, d));
            specs.add(ParameterSpec.required(b + "attn.o.weight", d, a));
            specs.add(ParameterSpec.required(b + "norm2.weight", d));
            specs.add(ParameterSpec.required(b + "ffn.gate.0.weight", f, d));
            specs.add(ParameterSpec.required(b + "ffn.fc1.weight", f, d));
            specs.add(ParameterSpec.required(b + "ffn.fc2.weight", d, f));
            specs.add(ParameterSpec.required(b + "pos_embedding.embedding.weight", config.numBuckets(),
                    config.numHeads()));
        }
        specs.add(ParameterSpec.required("norm.weight", d));
        return specs;
    }

    private static String block(int i) {
        return "blocks." + i + ".";
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
            String b = block(i);
            if (i == 0 && exposePositionBias) {
                out.put(OUTPUT_LAYER0_POSITION_BIAS, positionBias(ops, oneHot, b, length));
            }
            Tensor in = x;
            Tensor mask = maskBias;
            x = ops.scoped(() -> block(ops, in, b, oneHot, mask, length));
        }
        x = ops.rmsNorm(x, ops.parameter("norm.weight"), RMS_EPS);
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        ordered.put(OUTPUT, ops.reshape(x, length, config.dim()));
        ordered.putAll(out);
        return ordered;
    }

    /** {@code B[0, h, i, j] = table[bucket(j − i), h]}. */
    private Tensor positionBias(Ops ops, Tensor oneHot, String b, int length) {
        Tensor perPair = ops.matmul(oneHot, ops.parameter(b + "pos_embedding.embedding.weight"));
        Tensor bias = ops.permute(ops.reshape(perPair, length, length, config.numHeads()), 2, 0, 1);
        return ops.reshape(bias, 1, config.numHeads(), length, length);
    }

    private Tensor block(Ops ops, Tensor x, String b, Tensor oneHot, Tensor maskBias, int length) {
        Tensor bias = positionBias(ops, oneHot, b, length);
        if (maskBias != null) {
            bias = ops.add(bias, maskBias);
        }
        Tensor a = ops.rmsNorm(x, ops.parameter(b + "norm1.weight"), RMS_EPS);
        Tensor q = heads(ops, ops.linear(a, ops.parameter(b + "attn.q.weight"), null), length);
        Tensor k = heads(ops, ops.linear(a, ops.parameter(b + "attn.k.weight"), null), length);
        Tensor v = heads(ops, ops.linear(a, ops.parameter(b + "attn.v.weight"), null), length);
        // T5 does not scale the logits by 1/√d (the scale is folded into the trained weights).
        Tensor o = ops.attention(q, k, v, bias, 1.0);
        o = ops.reshape(ops.permute(o, 0, 2, 1, 3), 1, length, config.dimAttn());
        x = ops.add(x, ops.linear(o, ops.parameter(b + "attn.o.weight"), null));

        Tensor f = ops.rmsNorm(x, ops.parameter(b + "norm2.weight"), RMS_EPS);
        Tensor gate = ops.geluTanh(ops.linear(f, ops.parameter(b + "ffn.gate.0.weight"), null));
        Tensor hidden = ops.mul(ops.linear(f, ops.parameter(b + "ffn.fc1.weight"), null), gate);
        return ops.add(x, ops.linear(hidden, ops.parameter(b + "ffn.fc2.weight"), null));
    }

    private Tensor heads(Ops ops, Tensor x, int length) {
        return ops.permute(ops.reshape(x, 1, length, config.numHeads(), config.headDim()), 0, 2, 1, 3);
    }
}
