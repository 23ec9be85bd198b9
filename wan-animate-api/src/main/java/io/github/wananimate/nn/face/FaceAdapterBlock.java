package io.github.wananimate.nn.face;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.layers.Attention;
import io.github.wananimate.nn.layers.Layer;
import io.github.wananimate.nn.layers.LayerNorm;
import io.github.wananimate.nn.layers.Layers;
import io.github.wananimate.nn.layers.Linear;
import io.github.wananimate.nn.layers.RmsNorm;
import java.util.List;

/**
 * One face-adapter block (NETWORKS.md §3.3, keys {@code face_adapter.fuser_blocks.k.*}): the tokens of latent
 * frame f attend to the 5 face tokens of frame f only. Its output is added to the residual stream by the DiT
 * (no gate). Linears and attention under autocast (§1.6).
 */
public final class FaceAdapterBlock implements Layer {

    private static final double EPS = 1e-6;

    private final int dim;
    private final int heads;
    private final LayerNorm norm = LayerNorm.plain(EPS);
    private final Linear kv;
    private final Linear q;
    private final Linear out;
    private final RmsNorm qNorm;
    private final RmsNorm kNorm;
    private final Attention attention;
    private final List<ParameterSpec> parameters;

    /**
     * @param prefix    e.g. {@code "face_adapter.fuser_blocks.3."}
     * @param dim       the DiT width D
     * @param heads     attention heads (the DiT's)
     * @param precision weights and autocast dtype of the run
     */
    public FaceAdapterBlock(String prefix, int dim, int heads, Precision precision) {
        this.dim = dim;
        this.heads = heads;
        var stored = precision.weights();
        var low = precision.compute();
        this.kv = new Linear(prefix + "linear1_kv", 2L * dim, dim, stored, low);
        this.q = new Linear(prefix + "linear1_q", dim, dim, stored, low);
        this.out = new Linear(prefix + "linear2", dim, dim, stored, low);
        this.qNorm = new RmsNorm(prefix + "q_norm", dim / heads, EPS, stored);
        this.kNorm = new RmsNorm(prefix + "k_norm", dim / heads, EPS, stored);
        this.attention = new Attention(low);
        this.parameters = Layers.parameters(List.of(kv, q, out, qNorm, kNorm));
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    /**
     * @param x      residual stream {@code [L, D]}, tokens in (frame, row, column) order, L = F·S
     * @param motion face tokens {@code [F, N, D]} (N = 5)
     * @return the block's output {@code [L, D]}, to be added to x
     */
    public Tensor forward(Ops ops, Tensor x, Tensor motion) {
        long frames = motion.dim(0);
        long faceTokens = motion.dim(1);
        long tokens = x.dim(0);
        if (tokens % frames != 0) {
            throw new IllegalArgumentException("face adapter: " + tokens + " tokens do not split into " + frames
                    + " equal latent frames (§1.7: seq_len must equal F·H'·W')");
        }
        long perFrame = tokens / frames;
        long headDim = dim / heads;

        Tensor keysValues = kv.apply(ops, norm.apply(ops, motion));
        Tensor queries = q.apply(ops, norm.apply(ops, x));

        // K = first D channels, V = last D; heads split each; RMSNorm per head over its headDim channels
        Tensor k = ops.reshape(ops.slice(keysValues, 2, 0, dim), frames, faceTokens, heads, headDim);
        Tensor v = ops.reshape(ops.slice(keysValues, 2, dim, 2L * dim), frames, faceTokens, heads, headDim);
        k = kNorm.apply(ops, k);
        Tensor qh = qNorm.apply(ops, ops.reshape(queries, frames, perFrame, heads, headDim));

        // frames as the batch axis: [F, H, S, d] attends to [F, H, N, d]
        Tensor attended = attention.apply(ops, ops.permute(qh, 0, 2, 1, 3), ops.permute(k, 0, 2, 1, 3),
                ops.permute(v, 0, 2, 1, 3), null, 1.0 / Math.sqrt(headDim));
        return out.apply(ops, ops.reshape(ops.permute(attended, 0, 2, 1, 3), tokens, dim));
    }
}
