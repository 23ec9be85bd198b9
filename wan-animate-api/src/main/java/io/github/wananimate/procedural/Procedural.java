package io.github.wananimate.procedural;

import io.github.wananimate.sampling.SplitMix64;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.nio.charset.StandardCharsets;

/**
 * The procedural value generator of {@code shared/PROCEDURAL.md}: every value is a pure function of a name,
 * an element index and a seed, so parity fixtures need no stored weights. All arithmetic is on wrapping
 * unsigned 64-bit integers.
 */
public final class Procedural {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Procedural() {
    }

    /**
     * FNV-1a 64 of a name's UTF-8 bytes.
     *
     * @param name the name
     * @return the hash
     */
    public static long fnv1a64(String name) {
        long h = FNV_OFFSET;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    /**
     * {@return {@code u(name, i, seed)}, uniform in [-1, 1), in double precision}
     *
     * @param name the name
     * @param index the index, 0-based
     * @param seed the seed of the procedural values
     */
    public static double uniform(String name, long index, long seed) {
        return uniform(fnv1a64(name) ^ seed, index);
    }

    /**
     * {@return {@code u} with the name hash already combined with the seed ({@code fnv1a64(name) ^ seed})}
     *
     * @param nameHashXorSeed {@code fnv1a64(name) ^ seed}
     * @param index the index, 0-based
     */
    public static double uniform(long nameHashXorSeed, long index) {
        long bits = SplitMix64.mix(nameHashXorSeed + index) >>> 11;
        return bits * 0x1p-53 * 2 - 1;
    }

    /**
     * {@return the float32 tensor {@code u(name, i, seed)} over {@code shape} in row-major order (PROCEDURAL.md)}
     *
     * @param name the name
     * @param seed the seed of the procedural values
     * @param shape the shape
     */
    public static HostTensor tensor(String name, long seed, long... shape) {
        return tensor(name, seed, 1.0, 0.0, shape);
    }

    /**
     * {@return the float32 tensor {@code scale · u(name, i, seed) + offset} over {@code shape} (a procedural input)}
     *
     * @param name the name
     * @param seed the seed of the procedural values
     * @param scale the scale
     * @param offset the offset
     * @param shape the shape
     */
    public static HostTensor tensor(String name, long seed, double scale, double offset, long... shape) {
        long count = Shapes.elementCount(shape);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("procedural tensor '" + name + "' of shape " + Shapes.toString(shape)
                    + " is too large for one host tensor");
        }
        float[] values = new float[(int) count];
        long hash = fnv1a64(name) ^ seed;
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (scale * uniform(hash, i) + offset);
        }
        return HostTensor.ofFloats(shape, values);
    }
}
