package io.github.wananimate.sampling;

import io.github.wananimate.tensor.HostTensor;

/**
 * The initial latent noise of each clip (PIPELINE.md §2.7). The original draws it from a CUDA
 * {@code torch.Generator} seeded once per generation and advanced clip after clip; PyTorch's CUDA normal
 * generator cannot be reproduced outside PyTorch (§1.8), so no implementation here matches the original's noise
 * for a given seed. Parity tests inject noise instead
 * ({@code io.github.wananimate.procedural.ProceduralNoiseSource}).
 */
@FunctionalInterface
public interface NoiseSource {

    /**
     * {@return the float32 noise of clip {@code clipIndex} (0-based), of {@code shape} ([16, lat_t + 1, h, w])}
     *
     * @param clipIndex the clip, 0-based
     * @param shape the shape
     */
    HostTensor noise(int clipIndex, long[] shape);

    /** Standard-normal noise from {@code seed}; see {@link GaussianNoiseSource}. */
    static NoiseSource seeded(long seed) {
        return new GaussianNoiseSource(seed);
    }
}
