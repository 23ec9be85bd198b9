package io.github.wananimate.procedural;

import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;

/**
 * The fixtures' injected noise: clip k's noise is the procedural tensor {@code noise.clip<k>}
 * ({@code u(name, i, seed)}, scale 1, offset 0; uniform in [−1, 1), not normal), as golden/pipeline_tiny
 * prescribes. Hand {@code new ProceduralNoiseSource(seed)::noise} to the pipeline as its noise source.
 */
public final class ProceduralNoiseSource {

    private final long seed;

    /**
     * The fixtures' noise for a seed.
     *
     * @param seed the seed
     */
    public ProceduralNoiseSource(long seed) {
        this.seed = seed;
    }

    /**
     * {@return the procedural tensor name of clip {@code clipIndex}'s noise}
     *
     * @param clipIndex the clip, 0-based
     */
    public static String tensorName(int clipIndex) {
        return "noise.clip" + clipIndex;
    }

    /**
     * {@return clip {@code clipIndex}'s noise, float32}
     *
     * @param clipIndex the clip, 0-based
     * @param shape the latent shape
     */
    public HostTensor noise(int clipIndex, long[] shape) {
        long key = Procedural.fnv1a64(tensorName(clipIndex)) ^ seed;
        float[] values = new float[Math.toIntExact(Shapes.elementCount(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Procedural.uniform(key, i);
        }
        return HostTensor.ofFloats(shape, values);
    }
}
