package io.github.wananimate.pipeline;

import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;

/** Clip k's noise = procedural tensor {@code noise.clip<k>} (PROCEDURAL.md, scale 1, offset 0), for parity tests. */
public final class ProceduralNoiseSource implements NoiseSource {

    private final long seed;

    public ProceduralNoiseSource(long seed) {
        this.seed = seed;
    }

    /** The procedural tensor name of clip {@code clipIndex}'s noise. */
    public static String tensorName(int clipIndex) {
        return "noise.clip" + clipIndex;
    }

    @Override
    public HostTensor noise(int clipIndex, long[] shape) {
        long key = Procedural.fnv1a64(tensorName(clipIndex)) ^ seed;
        float[] values = new float[Math.toIntExact(Shapes.elementCount(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Procedural.uniform(key, i);
        }
        return HostTensor.ofFloats(shape, values);
    }
}
