package io.github.wananimate.nn;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import io.github.wananimate.weights.WeightException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** In-memory weights for tests. Counts {@link #get} calls so tests can check that a backend binds once. */
public final class MapParameterSource implements ParameterSource {

    private final Map<String, HostTensor> tensors;
    private final Map<String, Integer> reads = new LinkedHashMap<>();

    public MapParameterSource(Map<String, HostTensor> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public static MapParameterSource empty() {
        return new MapParameterSource(Map.of());
    }

    @Override
    public Set<String> keys() {
        return tensors.keySet();
    }

    @Override
    public long[] shape(String key) {
        return require(key).shape();
    }

    @Override
    public DType dtype(String key) {
        return require(key).dtype();
    }

    @Override
    public synchronized HostTensor get(String key) {
        HostTensor t = require(key);
        reads.merge(key, 1, Integer::sum);
        return t;
    }

    /** How often {@link #get} was called for {@code key}. */
    public synchronized int readCount(String key) {
        return reads.getOrDefault(key, 0);
    }

    @Override
    public String description() {
        return "in-memory test weights";
    }

    private HostTensor require(String key) {
        HostTensor t = tensors.get(key);
        if (t == null) {
            throw new WeightException("no key '" + key + "' in " + description());
        }
        return t;
    }
}
