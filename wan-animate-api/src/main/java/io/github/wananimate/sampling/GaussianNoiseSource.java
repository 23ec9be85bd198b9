package io.github.wananimate.sampling;

import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;

/**
 * Seeded standard-normal noise, fully specified here so it is the same on every JVM and platform: a counter-based
 * generator (no state carried between clips, so clip k's noise does not depend on which clips ran before — a run
 * can resume at any clip). Element pair p of clip k uses two SplitMix64 outputs of the counter
 * {@code key_k + 2p} and {@code key_k + 2p + 1}, with {@code key_k = splitmix64(splitmix64(seed) + k)}, turned
 * into two normals by the Box–Muller transform in {@link StrictMath}.
 *
 * <p>It does <b>not</b> reproduce the original's noise for the same seed: that comes from PyTorch's CUDA Philox
 * generator, which is not reproducible outside PyTorch (PIPELINE.md §1.8).
 */
public final class GaussianNoiseSource implements NoiseSource {

    private final long seed;

    public GaussianNoiseSource(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    @Override
    public HostTensor noise(int clipIndex, long[] shape) {
        if (clipIndex < 0) {
            throw new IllegalArgumentException("clip index must be >= 0, got " + clipIndex);
        }
        int n = Math.toIntExact(Shapes.elementCount(shape));
        long key = SplitMix64.mix(SplitMix64.mix(seed) + clipIndex);
        float[] values = new float[n];
        for (int i = 0; i < n; i += 2) {
            long pair = key + i;
            // u1 in (0, 1] so that ln(u1) is finite; u2 in [0, 1).
            double u1 = ((SplitMix64.mix(pair) >>> 11) + 1) * 0x1p-53;
            double u2 = (SplitMix64.mix(pair + 1) >>> 11) * 0x1p-53;
            double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double angle = 2.0 * StrictMath.PI * u2;
            values[i] = (float) (radius * StrictMath.cos(angle));
            if (i + 1 < n) {
                values[i + 1] = (float) (radius * StrictMath.sin(angle));
            }
        }
        return HostTensor.ofFloats(shape, values);
    }
}
