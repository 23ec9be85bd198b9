package io.github.wananimate.weights.lora;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.Float8Tensor;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * error. A {@link LoraTargets} rule can demand an exact set of modules (the official Relighting LoRA). The merge
 * itself is {@link LoraMerge} (blocked, multi-threaded, bit-identical to the plain loop). Closing this view closes
 * neither the checkpoint nor the adapter.
 */
public final class LoraMergedSource implements ParameterSource {

    private static final Logger LOG = LoggerFactory.getLogger(LoraMergedSource.class);

    private final ParameterSource base;
    private final LoraAdapter adapter;
    private final double strength;
    /** Checkpoint weight key → the layer merged into it. */
    private final Map<String, LoraAdapter.Layer> merged;
    private final List<String> unmatched;

    /** Merges a user LoRA ({@link LoraTargets#any()}). */
    public LoraMergedSource(ParameterSource base, LoraAdapter adapter, double strength) {
        this(base, adapter, strength, LoraTargets.any());
    }

    /**
     * @param strength multiplier of {@code alpha/r}: a finite number {@code >= 0}; 0 leaves every weight as stored
     * @param targets  the modules the LoRA must adapt, e.g. {@link LoraTargets#wanRelighting} for the official file
     */
    public LoraMergedSource(ParameterSource base, LoraAdapter adapter, double strength, LoraTargets targets) {
        if (!Double.isFinite(strength) || strength < 0) {
            throw new IllegalArgumentException("LoRA strength must be a finite number >= 0 (0 = weights unchanged), got "
                    + strength + " for " + adapter.description());
        }
        this.base = base;
        this.adapter = adapter;
        this.strength = strength;
        Map<String, LoraAdapter.Layer> matches = new LinkedHashMap<>();
        Set<String> present = new LinkedHashSet<>();
        Set<String> matchedModules = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (LoraAdapter.Layer layer : adapter.layers().values()) {
            String key = targetKey(layer.module());
            if (key == null) {
                missing.add(layer.module());
                present.add(LoraAdapter.officialModuleName(layer.module()));
                continue;
            }
            String module = key.substring(0, key.length() - ".weight".length());
            present.add(module);
            long[] w = base.shape(key);
            if (w.length != 2 || w[0] != layer.out() || w[1] != layer.in()) {
                problems.add("module '" + layer.module() + "': B·A is [" + layer.out() + ", " + layer.in()
                        + "] but '" + key + "' is " + Shapes.toString(w));
                continue;
            }
            if (matches.put(key, layer) != null) {
                problems.add("two LoRA modules map to '" + key + "'");
            }
            matchedModules.add(module);
        }
        if (!problems.isEmpty()) {
            throw new WeightException("LoRA " + adapter.description() + " does not fit " + base.description() + ": "
                    + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        }
        targets.check(adapter.description(), base.description(), present, matchedModules);
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
        LOG.info("LoRA {} merges into {} Linear weights (strength {}{})", adapter.description(), merged.size(),
                strength, targets == LoraTargets.any() ? "" : ", checked as " + targets.name());
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
        return scaleOf(key) != 0 ? DType.F32 : base.dtype(key);
    }

    @Override
    public HostTensor get(String key) {
        float scale = scaleOf(key);
        if (scale == 0) {
            return base.get(key);
        }
        LoraAdapter.Layer layer = merged.get(key);
        return LoraMerge.merge(base.get(key), adapter.down(layer), adapter.up(layer), scale, key);
    }

    @Override
    public Optional<Float8Tensor> float8(String key) {
        return scaleOf(key) == 0 ? base.float8(key) : Optional.empty();
    }

    /**
     * {@code strength·alpha/r} in float32 for a merged weight; 0 for the other keys, and where strength or alpha is 0
     * (then the stored weight is returned as is).
     */
    private float scaleOf(String key) {
        LoraAdapter.Layer layer = merged.get(key);
        return layer == null ? 0f : (float) (strength * layer.scale());
    }

    @Override
    public String description() {
        return base.description() + " + LoRA " + adapter.description() + " x" + strength;
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
