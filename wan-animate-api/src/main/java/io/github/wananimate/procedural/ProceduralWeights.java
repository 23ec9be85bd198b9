package io.github.wananimate.procedural;

import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The procedural weights of {@code shared/PROCEDURAL.md}: a float32 tensor per key, generated on
 * {@link #get} from the key, the element index and the seed. The value rule is the first that matches:
 * <ol>
 *   <li>key ends with {@code gamma}, or the tensor is 1-D, its key ends with {@code weight} and one dotted
 *       component contains {@code norm}: {@code 1 + 0.1·u} (norm gains);</li>
 *   <li>key ends with {@code bias} or {@code beta}: {@code 0.1·u};</li>
 *   <li>key starts with {@code motion_encoder.}: {@code u};</li>
 *   <li>otherwise {@code u / sqrt(fan_in)}, fan_in = product of the dimensions after the first (1 for 1-D).</li>
 * </ol>
 * Computed in double, rounded to float32 once.
 */
public final class ProceduralWeights implements ParameterSource {

    private final long seed;
    private final Map<String, long[]> shapes;

    /**
     * {@code shapes}: key → official shape, in the order {@link #keys()} reports them.
     *
     * @param seed the seed of the procedural values
     * @param shapes shapes by key
     */
    public ProceduralWeights(long seed, Map<String, long[]> shapes) {
        this.seed = seed;
        Map<String, long[]> copy = new LinkedHashMap<>();
        shapes.forEach((k, v) -> copy.put(k, v.clone()));
        this.shapes = Collections.unmodifiableMap(copy);
    }

    /**
     * {@return procedural weights for every parameter a network lists (optional ones included)}
     *
     * @param seed the seed of the procedural values
     * @param specs the parameter specs
     */
    public static ProceduralWeights forSpecs(long seed, List<ParameterSpec> specs) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ParameterSpec spec : specs) {
            shapes.put(spec.key(), spec.shape());
        }
        return new ProceduralWeights(seed, shapes);
    }

    /**
     * {@return the procedural float32 values of {@code key} with {@code shape}, row-major}
     *
     * @param key the checkpoint key
     * @param shape the shape
     * @param seed the seed of the procedural values
     */
    public static float[] values(String key, long[] shape, long seed) {
        int n = Math.toIntExact(Shapes.elementCount(shape));
        float[] out = new float[n];
        long hash = Procedural.fnv1a64(key) ^ seed;
        if (isNormGain(key, shape)) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) (1.0 + 0.1 * Procedural.uniform(hash, i));
            }
        } else if (key.endsWith("bias") || key.endsWith("beta")) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) (0.1 * Procedural.uniform(hash, i));
            }
        } else if (key.startsWith("motion_encoder.")) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) Procedural.uniform(hash, i);
            }
        } else {
            double scale = Math.sqrt((double) fanIn(shape));
            for (int i = 0; i < n; i++) {
                out[i] = (float) (Procedural.uniform(hash, i) / scale);
            }
        }
        return out;
    }

    private static boolean isNormGain(String key, long[] shape) {
        if (key.endsWith("gamma")) {
            return true;
        }
        if (shape.length != 1 || !key.endsWith("weight")) {
            return false;
        }
        for (String component : key.split("\\.")) {
            if (component.contains("norm")) {
                return true;
            }
        }
        return false;
    }

    private static long fanIn(long[] shape) {
        long fanIn = 1;
        for (int d = 1; d < shape.length; d++) {
            fanIn *= shape[d];
        }
        return fanIn;
    }

    /** {@return the seed} */
    public long seed() {
        return seed;
    }

    @Override
    public Set<String> keys() {
        return shapes.keySet();
    }

    @Override
    public long[] shape(String key) {
        return shapeOf(key).clone();
    }

    @Override
    public DType dtype(String key) {
        shapeOf(key);
        return DType.F32;
    }

    @Override
    public HostTensor get(String key) {
        long[] shape = shapeOf(key);
        return HostTensor.ofFloats(shape, values(key, shape, seed));
    }

    private long[] shapeOf(String key) {
        long[] shape = shapes.get(key);
        if (shape == null) {
            throw new WeightException(description() + ": no tensor '" + key + "'");
        }
        return shape;
    }

    @Override
    public String description() {
        return "procedural weights (seed " + Long.toUnsignedString(seed) + ", " + shapes.size() + " tensors)";
    }
}
