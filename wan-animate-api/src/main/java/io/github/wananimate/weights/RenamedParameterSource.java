package io.github.wananimate.weights;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A view of a source under other key names. Built eagerly from the key list (no tensor is read); two source keys
 * that map to the same name are a {@link WeightException} listing every such collision, except that a name
 * produced by a fallback rule yields to one produced otherwise.
 */
public final class RenamedParameterSource implements ParameterSource {

    private final ParameterSource base;
    private final KeyMapping mapping;
    private final Map<String, String> originalOf;

    /**
     * A renamed view.
     *
     * @param base the source
     * @param mapping its key mapping
     */
    public RenamedParameterSource(ParameterSource base, KeyMapping mapping) {
        this.base = base;
        this.mapping = mapping;
        Map<String, String> originals = new LinkedHashMap<>();
        Map<String, Boolean> byFallback = new LinkedHashMap<>();
        Map<String, List<String>> collisions = new LinkedHashMap<>();
        for (String key : base.keys()) {
            KeyMapping.Mapped mapped = mapping.mapDetailed(key);
            String target = mapped.key();
            if (target == null) {
                continue;
            }
            String previous = originals.get(target);
            if (previous == null) {
                originals.put(target, key);
                byFallback.put(target, mapped.fallback());
            } else if (byFallback.get(target) && !mapped.fallback()) {
                originals.put(target, key);
                byFallback.put(target, false);
            } else if (!mapped.fallback()) {
                collisions.computeIfAbsent(target, t -> new ArrayList<>(List.of(previous))).add(key);
            }
        }
        if (!collisions.isEmpty()) {
            List<String> lines = new ArrayList<>();
            collisions.forEach((target, sources) -> lines.add("'" + target + "' <- '" + String.join("', '", sources)
                    + "'"));
            throw new WeightException(base.description() + ": key mapping '" + mapping.name() + "' maps "
                    + collisions.size() + " name(s) from several keys:\n  - " + String.join("\n  - ", lines));
        }
        this.originalOf = Collections.unmodifiableMap(originals);
    }

    /** {@return the underlying source} */
    public ParameterSource base() {
        return base;
    }

    /** {@return the mapping} */
    public KeyMapping mapping() {
        return mapping;
    }

    /**
     * {@return the key in the underlying source that {@code key} comes from}
     *
     * @param key the checkpoint key
     */
    public String originalKey(String key) {
        String original = originalOf.get(key);
        if (original == null) {
            throw new WeightException(description() + ": no tensor '" + key + "'");
        }
        return original;
    }

    @Override
    public Set<String> keys() {
        return originalOf.keySet();
    }

    @Override
    public long[] shape(String key) {
        return base.shape(originalKey(key));
    }

    @Override
    public DType dtype(String key) {
        return base.dtype(originalKey(key));
    }

    @Override
    public HostTensor get(String key) {
        return base.get(originalKey(key));
    }

    @Override
    public Optional<Float8Tensor> float8(String key) {
        return base.float8(originalKey(key));
    }

    @Override
    public String description() {
        return base.description() + " (keys renamed by " + mapping.name() + ")";
    }

    @Override
    public void close() {
        base.close();
    }
}
