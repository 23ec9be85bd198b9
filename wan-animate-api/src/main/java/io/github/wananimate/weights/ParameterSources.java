package io.github.wananimate.weights;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Small views over a {@link ParameterSource}. Closing a view leaves its base open: they are made at bind time
 * (e.g. by {@link io.github.wananimate.nn.Network#prepare}) over a checkpoint the caller owns.
 */
public final class ParameterSources {

    private ParameterSources() {
    }

    /**
     * {@code base} plus host-computed tensors (a network's derived constants, such as the motion encoder's
     * Householder Q). A derived key shadows a base key of the same name, so preparing an already prepared source
     * gives the same tensors.
     *
     * @param base the underlying source
     * @param derived the derived tensors
     * @return the result
     */
    public static ParameterSource withDerived(ParameterSource base, Map<String, HostTensor> derived) {
        return new WithDerived(base, Collections.unmodifiableMap(new LinkedHashMap<>(derived)));
    }

    /**
     * {@code base} without {@code hidden}: the keys disappear from {@link ParameterSource#keys()} and reading one
     * throws a {@link WeightException} naming it and {@code why} (e.g. "read on the host, not bound").
     *
     * @param base the underlying source
     * @param hidden the hidden states
     * @param why the reason
     * @return the result
     */
    public static ParameterSource without(ParameterSource base, Set<String> hidden, String why) {
        return new Without(base, Set.copyOf(hidden), why);
    }

    private static final class WithDerived implements ParameterSource {

        private final ParameterSource base;
        private final Map<String, HostTensor> derived;
        private final Set<String> keys;

        WithDerived(ParameterSource base, Map<String, HostTensor> derived) {
            this.base = base;
            this.derived = derived;
            Set<String> all = new LinkedHashSet<>(base.keys());
            all.addAll(derived.keySet());
            this.keys = Collections.unmodifiableSet(all);
        }

        @Override
        public Set<String> keys() {
            return keys;
        }

        @Override
        public long[] shape(String key) {
            HostTensor t = derived.get(key);
            return t != null ? t.shape() : base.shape(key);
        }

        @Override
        public DType dtype(String key) {
            HostTensor t = derived.get(key);
            return t != null ? t.dtype() : base.dtype(key);
        }

        @Override
        public HostTensor get(String key) {
            HostTensor t = derived.get(key);
            if (t != null) {
                return t;
            }
            if (!base.contains(key)) {
                throw new WeightException("no key '" + key + "' in " + description());
            }
            return base.get(key);
        }

        @Override
        public Optional<Float8Tensor> float8(String key) {
            return derived.containsKey(key) ? Optional.empty() : base.float8(key);
        }

        @Override
        public String description() {
            return base.description() + " (+ derived " + derived.keySet() + ")";
        }
    }

    private static final class Without implements ParameterSource {

        private final ParameterSource base;
        private final Set<String> hidden;
        private final String why;
        private final Set<String> keys;

        Without(ParameterSource base, Set<String> hidden, String why) {
            this.base = base;
            this.hidden = hidden;
            this.why = why;
            Set<String> visible = new LinkedHashSet<>(base.keys());
            visible.removeAll(hidden);
            this.keys = Collections.unmodifiableSet(visible);
        }

        @Override
        public Set<String> keys() {
            return keys;
        }

        @Override
        public long[] shape(String key) {
            return base.shape(visible(key));
        }

        @Override
        public DType dtype(String key) {
            return base.dtype(visible(key));
        }

        @Override
        public HostTensor get(String key) {
            return base.get(visible(key));
        }

        @Override
        public Optional<Float8Tensor> float8(String key) {
            return base.float8(visible(key));
        }

        private String visible(String key) {
            if (hidden.contains(key)) {
                throw new WeightException(base.description() + ": '" + key + "' is " + why);
            }
            return key;
        }

        @Override
        public String description() {
            return base.description();
        }
    }
}
