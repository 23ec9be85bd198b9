package io.github.wananimate.nn.face;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Precision;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.nn.layers.Conv;
import io.github.wananimate.nn.layers.Layer;
import io.github.wananimate.nn.layers.LayerNorm;
import io.github.wananimate.nn.layers.Layers;
import io.github.wananimate.nn.layers.Linear;
import io.github.wananimate.nn.layers.Weight;
import java.util.Arrays;
import java.util.List;

/**
 * The face encoder (NETWORKS.md §3.2, keys {@code face_encoder.*}): temporal compression of per-frame motion
 * codes {@code [1, T, 512]} into {@code [1, (T+3)/4, 5, D]} face tokens — 4 groups of a 4096-wide causal conv,
 * each squeezed by two stride-2 causal convs and projected to D, plus a learned padding token. Convolutions and the
 * projection under autocast (§1.6), norms in float32.
 */
public final class FaceEncoder implements Layer {

    public static final int MOTION_DIM = 512;
    public static final int GROUPS = 4;
    public static final int GROUP_WIDTH = 1024;
    public static final int KERNEL = 3;
    private static final double EPS = 1e-6;

    private final int dim;
    private final Conv conv1;
    private final Conv conv2;
    private final Conv conv3;
    private final Linear outProj;
    private final Weight paddingTokens;
    private final LayerNorm norm = LayerNorm.plain(EPS);
    private final List<ParameterSpec> parameters;

    /**
     * @param prefix    key prefix with the trailing dot, {@code "face_encoder."} in the official checkpoint
     * @param dim       the DiT width D
     * @param precision weights and autocast dtype of the run
     */
    public FaceEncoder(String prefix, int dim, Precision precision) {
        this.dim = dim;
        var stored = precision.weights();
        var low = precision.compute();
        this.conv1 = Conv.of(prefix + "conv1_local.conv", GROUPS * GROUP_WIDTH, MOTION_DIM, stored, low, KERNEL);
        this.conv2 = Conv.of(prefix + "conv2.conv", GROUP_WIDTH, GROUP_WIDTH, stored, low, KERNEL).withStride(2);
        this.conv3 = Conv.of(prefix + "conv3.conv", GROUP_WIDTH, GROUP_WIDTH, stored, low, KERNEL).withStride(2);
        this.outProj = new Linear(prefix + "out_proj", dim, GROUP_WIDTH, stored, low);
        this.paddingTokens = new Weight(prefix + "padding_tokens", stored, 1, 1, 1, dim);
        this.parameters = Layers.parameters(List.of(conv1, conv2, conv3, outProj, paddingTokens));
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters;
    }

    /** Face-token frames produced from {@code t} motion frames: {@code ⌊(⌊(t−1)/2⌋+1 − 1)/2⌋ + 1}. */
    public static long outputFrames(long t) {
        long afterConv2 = (t - 1) / 2 + 1;
        return (afterConv2 - 1) / 2 + 1;
    }

    /** {@code motion [1, T, 512]} → {@code [1, T'', 5, D]}. */
    public Tensor encode(Ops ops, Tensor motion) {
        if (motion.rank() != 3 || motion.dim(0) != 1 || motion.dim(2) != MOTION_DIM) {
            throw new IllegalArgumentException("face encoder input must be [1, T, " + MOTION_DIM + "], got "
                    + Arrays.toString(motion.shape()));
        }
        // [1, 512, T] → conv1_local → [1, 4096, T] → 4 independent sequences [4, T, 1024]
        Tensor z = causalConv(ops, ops.permute(motion, 0, 2, 1), conv1);
        long t = z.dim(2);
        z = ops.permute(ops.reshape(z, GROUPS, GROUP_WIDTH, t), 0, 2, 1);
        z = normAct(ops, z);
        z = normAct(ops, ops.permute(causalConv(ops, ops.permute(z, 0, 2, 1), conv2), 0, 2, 1));
        z = normAct(ops, ops.permute(causalConv(ops, ops.permute(z, 0, 2, 1), conv3), 0, 2, 1));
        Tensor tokens = outProj.apply(ops, z);
        long frames = tokens.dim(1);
        // [4, T'', D] → [1, T'', 4, D] (token index = group), then the learned padding token as the 5th
        tokens = ops.reshape(ops.permute(tokens, 1, 0, 2), 1, frames, GROUPS, dim);
        Tensor padding = ops.broadcastTo(paddingTokens.get(ops), 1, frames, 1, dim);
        return ops.concat(2, tokens, padding);
    }

    private Tensor normAct(Ops ops, Tensor x) {
        return ops.silu(norm.apply(ops, x));
    }

    /**
     * CausalConv1d: the time axis is padded on the left with {@code KERNEL−1} copies of the FIRST frame
     * (replicate padding, not zeros — §3.2), then a plain conv. x {@code [B, C, T]}.
     */
    private static Tensor causalConv(Ops ops, Tensor x, Conv conv) {
        long[] s = x.shape();
        Tensor first = ops.broadcastTo(ops.slice(x, 2, 0, 1), s[0], s[1], KERNEL - 1);
        return conv.apply(ops, ops.concat(2, first, x));
    }
}
