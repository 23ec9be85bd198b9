package io.github.wananimate.weights.lora;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint with a LoRA merged in (NETWORKS.md §7): {@code W' = W + strength·(alpha/r)·B·A} for every adapted
 * Linear, computed in float32 when the weight is read ({@link #get}), so nothing is merged before a backend binds
 * it and unadapted tensors pass through untouched (still memory-mapped). Biases are unchanged.
 *
 * <p>Construction matches the LoRA's modules against the checkpoint's 2-D {@code .weight} keys: a LoRA none of
 * whose modules exists is refused (with sample keys of both sides), modules and keys that match nothing are
 * logged and available from {@link #unmatched()}, and a module whose A/B shapes do not fit its weight is an
 * error. Closing this view closes neither the checkpoint nor the adapter.
 */
public final class LoraMergedSource implements ParameterSource {

    private static final Logger LOG = LoggerFactory.getLogger(LoraMergedSource.class);

    private final ParameterSource base;
    private final LoraAdapter adapter;
    private final double strength;
    /** Checkpoint weight key → the layer merged into it. */
    private final Map<String, LoraAdapter.Layer> merged;
    private final List<String> unmatched;

    public LoraMergedSource(ParameterSource base, LoraAdapter adapter, double strength) {
        if (!Double.isFinite(strength)) {
            throw new IllegalArgumentException("LoRA strength must be finite, got " + strength);
        }
        this.base = base;
        this.adapter = adapter;
        this.strength = strength;
        Map<String, LoraAdapter.Layer> matches = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (LoraAdapter.Layer layer : adapter.layers().values()) {
            String key = targetKey(layer.module());
            if (key == null) {
                missing.add(layer.module());
                continue;
            }
            long[] w = base.shape(key);
            if (w.length != 2 || w[0] != layer.out() || w[1] != layer.in()) {
                problems.add("module '" + layer.module() + "': B·A is [" + layer.out() + ", " + layer.in()
                        + "] but '" + key + "' is " + Shapes.toString(w));
                continue;
            }
            if (matches.put(key, layer) != null) {
                problems.add("two LoRA modules map to '" + key + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightException("LoRA " + adapter.description() + " does not fit " + base.description() + ": "
                    + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        }
        if (matches.isEmpty()) {
            throw new WeightException("LoRA " + adapter.description() + " matches no Linear of " + base.description()
                    + ": its modules are e.g. " + LoraAdapter.sample(adapter.layers().keySet())
                    + ", the checkpoint's keys are e.g. " + LoraAdapter.sample(base.keys())
                    + " (is it a LoRA for another model, or with an unknown key prefix?)");
        }
        List<String> ignored = new ArrayList<>(missing);
        ignored.addAll(adapter.unrecognisedKeys());
        this.merged = Collections.unmodifiableMap(matches);
        this.unmatched = List.copyOf(ignored);
        if (!unmatched.isEmpty()) {
            LOG.warn("LoRA {}: {} of its modules/keys match nothing in {} and are ignored, e.g. {}",
                    adapter.description(), unmatched.size(), base.description(),
                    unmatched.subList(0, Math.min(10, unmatched.size())));
        }
        LOG.info("LoRA {} merges into {} Linear weights (strength {})", adapter.description(), merged.size(), strength);
    }

    /** The checkpoint keys whose tensors are merged, with their layers. */
    public Map<String, LoraAdapter.Layer> mergedWeights() {
        return merged;
    }

    /** LoRA modules and keys that matched no checkpoint weight. */
    public List<String> unmatched() {
        return unmatched;
    }

    @Override
    public Set<String> keys() {
        return base.keys();
    }

    @Override
    public long[] shape(String key) {
        return base.shape(key);
    }

    @Override
    public DType dtype(String key) {
        return merged.containsKey(key) ? DType.F32 : base.dtype(key);
    }

    @Override
    public HostTensor get(String key) {
        LoraAdapter.Layer layer = merged.get(key);
        if (layer == null) {
            return base.get(key);
        }
        return merge(base.get(key), adapter.down(layer), adapter.up(layer), (float) (strength * layer.scale()), key);
    }

    @Override
    public String description() {
        return base.description() + " + LoRA " + adapter.description() + " x" + strength;
    }

    /**
     * {@code W + scale·(B·A)} in float32: each row of B·A is accumulated over the rank in float32 (as a float32
     * matmul does), then scaled and added.
     */
    static HostTensor merge(HostTensor weight, HostTensor down, HostTensor up, float scale, String key) {
        long[] shape = weight.shape();
        int out = Math.toIntExact(shape[0]);
        int in = Math.toIntExact(shape[1]);
        int rank = Math.toIntExact(down.shape()[0]);
        if (!Arrays.equals(down.shape(), new long[] {rank, in}) || !Arrays.equals(up.shape(), new long[] {out, rank})) {
            throw new WeightException("LoRA for '" + key + "': A " + Shapes.toString(down.shape()) + " / B "
                    + Shapes.toString(up.shape()) + " do not fit the weight " + Shapes.toString(shape));
        }
        float[] w = weight.toFloatArray();
        float[] a = down.toFloatArray();
        float[] b = up.toFloatArray();
        IntStream rows = IntStream.range(0, out);
        if ((long) out * in * rank > 1L << 22) {
            rows = rows.parallel();
        }
        rows.forEach(o -> {
            float[] delta = new float[in];
            for (int r = 0; r < rank; r++) {
                float coefficient = b[o * rank + r];
                int aRow = r * in;
                for (int j = 0; j < in; j++) {
                    delta[j] += coefficient * a[aRow + j];
                }
            }
            int wRow = o * in;
            for (int j = 0; j < in; j++) {
                w[wRow + j] += scale * delta[j];
            }
        });
        return HostTensor.ofFloats(shape, w);
    }

    private String targetKey(String module) {
        for (String candidate : new String[] {module, LoraAdapter.officialModuleName(module)}) {
            String key = candidate + ".weight";
            if (base.contains(key)) {
                return key;
            }
        }
        return null;
    }
}
