package io.github.wananimate.nn.face;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import java.util.List;

/**
 * One face-adapter block (NETWORKS.md §3.3, keys {@code face_adapter.fuser_blocks.k.*}): the tokens of latent
 * frame f attend to the 5 face tokens of frame f only. Its output is added to the residual stream by the DiT
 * (no gate).
 */
public final class FaceAdapterBlock {

    private static final double EPS = 1e-6;

    private final String prefix;
    private final int dim;
    private final int heads;

    /**
     * @param prefix e.g. {@code "face_adapter.fuser_blocks.3."}
     * @param dim    the DiT width D
     * @param heads  attention heads (the DiT's)
     */
    public FaceAdapterBlock(String prefix, int dim, int heads) {
        this.prefix = prefix;
        this.dim = dim;
        this.heads = heads;
    }

    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.required(prefix + "linear1_kv.weight", 2L * dim, dim),
                ParameterSpec.required(prefix + "linear1_kv.bias", 2L * dim),
                ParameterSpec.required(prefix + "linear1_q.weight", dim, dim),
                ParameterSpec.required(prefix + "linear1_q.bias", dim),
                ParameterSpec.required(prefix + "linear2.weight", dim, dim),
                ParameterSpec.required(prefix + "linear2.bias", dim),
                ParameterSpec.required(prefix + "q_norm.weight", dim / heads),
                ParameterSpec.required(prefix + "k_norm.weight", dim / heads));
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

        Tensor xm = ops.layerNorm(motion, null, null, EPS);
        Tensor xf = ops.layerNorm(x, null, null, EPS);
        Tensor kv = ops.linear(xm, ops.parameter(prefix + "linear1_kv.weight"), ops.parameter(prefix + "linear1_kv.bias"));
        Tensor q = ops.linear(xf, ops.parameter(prefix + "linear1_q.weight"), ops.parameter(prefix + "linear1_q.bias"));

        // K = first D channels, V = last D; heads split each; RMSNorm per head over its headDim channels
        Tensor k = ops.reshape(ops.slice(kv, 2, 0, dim), frames, faceTokens, heads, headDim);
        Tensor v = ops.reshape(ops.slice(kv, 2, dim, 2L * dim), frames, faceTokens, heads, headDim);
        k = ops.rmsNorm(k, ops.parameter(prefix + "k_norm.weight"), EPS);
        q = ops.rmsNorm(ops.reshape(q, frames, perFrame, heads, headDim), ops.parameter(prefix + "q_norm.weight"), EPS);

        // frames as the batch axis: [F, H, S, d] attends to [F, H, N, d]
        Tensor attended = ops.attention(ops.permute(q, 0, 2, 1, 3), ops.permute(k, 0, 2, 1, 3),
                ops.permute(v, 0, 2, 1, 3), null, 1.0 / Math.sqrt(headDim));
        Tensor merged = ops.reshape(ops.permute(attended, 0, 2, 1, 3), tokens, dim);
        return ops.linear(merged, ops.parameter(prefix + "linear2.weight"), ops.parameter(prefix + "linear2.bias"));
    }
}
