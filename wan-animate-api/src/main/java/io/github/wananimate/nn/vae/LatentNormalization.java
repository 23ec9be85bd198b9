package io.github.wananimate.nn.vae;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.HostTensor;

/**
 * Per-channel latent statistics of the Wan 2.1 VAE (NETWORKS.md §4.6). The reference keeps
 * {@code scale = [mean, 1/std]} as float32 tensors: encode {@code (μ − mean)·(1/std)}, decode
 * {@code z / (1/std) + mean}; both are copied as written, including the float32 reciprocal.
 */
public final class LatentNormalization {

    private static final float[] MEAN = {
        -0.7571f, -0.7089f, -0.9113f, 0.1075f, -0.1745f, 0.9653f, -0.1517f, 1.5508f,
        0.4134f, -0.0715f, 0.5517f, -0.3632f, -0.1922f, -0.9497f, 0.2503f, -0.2921f};

    private static final float[] STD = {
        2.8184f, 1.4541f, 2.3275f, 2.6558f, 1.2196f, 1.7708f, 2.6052f, 2.0743f,
        3.2687f, 2.1526f, 2.8652f, 1.5579f, 1.6382f, 1.1253f, 2.8251f, 1.9160f};

    private LatentNormalization() {
    }

    /** {@return a copy of the per-channel latent means} */
    public static float[] mean() {
        return MEAN.clone();
    }

    /** {@return a copy of the per-channel latent standard deviations} */
    public static float[] std() {
        return STD.clone();
    }

    /** {@code (μ − mean) · (1/std)} on {@code [1, 16, T, h, w]}. */
    static Tensor normalize(Ops ops, Tensor mu) {
        return ops.mul(ops.sub(mu, meanTensor(ops)), inverseStdTensor(ops));
    }

    /** {@code z / (1/std) + mean} on {@code [1, 16, T, h, w]}. */
    static Tensor denormalize(Ops ops, Tensor z) {
        return ops.add(ops.div(z, inverseStdTensor(ops)), meanTensor(ops));
    }

    private static Tensor meanTensor(Ops ops) {
        return ops.constant(HostTensor.ofFloats(new long[] {1, MEAN.length, 1, 1, 1}, MEAN));
    }

    private static Tensor inverseStdTensor(Ops ops) {
        float[] inverse = new float[STD.length];
        for (int i = 0; i < STD.length; i++) {
            inverse[i] = 1.0f / STD[i];
        }
        return ops.constant(HostTensor.ofFloats(new long[] {1, inverse.length, 1, 1, 1}, inverse));
    }
}
